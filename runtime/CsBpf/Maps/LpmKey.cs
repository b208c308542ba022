using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// The key of an <see cref="LpmTrieMap{TData, TValue}"/>: the kernel's <c>struct bpf_lpm_trie_key_u8</c>, a
/// 32-bit prefix length followed by the data the prefix applies to. The data is compared bit by bit from the
/// most significant bit of its first byte, so addresses go in network byte order (an IPv4 address as the
/// <see cref="uint"/> whose bytes in memory are <c>a.b.c.d</c>). The same struct is the key on the host.
/// </summary>
/// <typeparam name="TData">The prefix data: an unmanaged type of 1 to 256 bytes aligned to at most 4 bytes, so it
/// starts right after the prefix length (e.g. <see cref="uint"/> for IPv4, a 16-byte inline array for IPv6).</typeparam>
[StructLayout(LayoutKind.Sequential)]
public struct LpmKey<TData> : IEquatable<LpmKey<TData>>
    where TData : unmanaged
{
    /// <summary>The number of leading bits of <see cref="Data"/> that count (<c>prefixlen</c>).</summary>
    public uint PrefixLength;

    /// <summary>The data (<c>data[]</c>).</summary>
    public TData Data;

    /// <summary>Creates a key.</summary>
    /// <param name="prefixLength">The number of leading bits of <paramref name="data"/> that count.</param>
    /// <param name="data">The data.</param>
    [FieldwiseConstructor]
    public LpmKey(uint prefixLength, TData data)
    {
        PrefixLength = prefixLength;
        Data = data;
    }

    /// <inheritdoc />
    public readonly bool Equals(LpmKey<TData> other) =>
        PrefixLength == other.PrefixLength && MemoryMarshal.AsBytes(new ReadOnlySpan<TData>(in Data)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<TData>(in other.Data)));

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is LpmKey<TData> other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(PrefixLength);
        hash.AddBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<TData>(in Data)));
        return hash.ToHashCode();
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(LpmKey<TData> left, LpmKey<TData> right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(LpmKey<TData> left, LpmKey<TData> right) => !left.Equals(right);

    /// <inheritdoc />
    public override readonly string ToString() =>
        Convert.ToHexString(MemoryMarshal.AsBytes(new ReadOnlySpan<TData>(in Data))) + "/" + PrefixLength;
}
