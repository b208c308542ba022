using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// Compares map keys by their bytes, as the kernel does (<c>memcmp</c> of <c>key_size</c> bytes in
/// kernel/bpf/hashtab.c). The default struct equality would differ on padding and refuses structs holding an
/// <c>[InlineArray]</c> field such as <see cref="TaskComm"/> (NotSupportedException), a common BPF key shape.
/// </summary>
internal sealed class BitwiseKeyComparer<TKey> : IEqualityComparer<TKey>
    where TKey : unmanaged
{
    public static readonly BitwiseKeyComparer<TKey> Instance = new();

    public bool Equals(TKey x, TKey y) =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in x)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in y)));

    public int GetHashCode(TKey key)
    {
        var hash = new HashCode();
        hash.AddBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)));
        return hash.ToHashCode();
    }
}
