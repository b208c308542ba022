using System.Diagnostics.CodeAnalysis;

namespace CsBpf;

/// <summary>
/// An array of maps (<c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>, Linux 4.12) as seen from BPF code: slots indexed by a
/// <see cref="uint"/>, each empty or holding a map shaped like <c>inner</c> (same type, key and value sizes).
/// The host puts maps in the slots (<c>BpfArrayOfMaps</c>); BPF code looks one up with
/// <see cref="TryGetMap"/> and uses it with its own methods. Declare it as
/// <c>[Map] static readonly ArrayOfMaps&lt;HashMap&lt;uint, ulong&gt;&gt; Tenants = new(maxEntries: 16, inner: new(maxEntries: 1024));</c>
/// </summary>
/// <typeparam name="TInner">The inner map type, e.g. <c>HashMap&lt;uint, ulong&gt;</c> (not a map of maps).</typeparam>
[BpfMapKind(BpfMapType.ArrayOfMaps)]
public sealed class ArrayOfMaps<TInner> where TInner : class
{
    private readonly TInner?[] _maps;

    /// <summary>Declares an array of maps.</summary>
    /// <param name="maxEntries">The number of slots (<c>max_entries</c>).</param>
    /// <param name="inner">The template every inner map must match (the compiler reads its declaration; it is
    /// not put in a slot).</param>
    public ArrayOfMaps(int maxEntries, TInner inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentNullException.ThrowIfNull(inner);
        _maps = new TInner?[maxEntries];
        Inner = inner;
    }

    /// <summary>The number of slots.</summary>
    public int MaxEntries => _maps.Length;

    /// <summary>The template of the inner maps.</summary>
    public TInner Inner { get; }

    /// <summary>The map in slot <paramref name="index"/> (<c>bpf_map_lookup_elem</c>), or false when the slot is empty or out of range.</summary>
    [MapIntrinsic(MapOperation.LookupMap, Helper = 1)]
    public bool TryGetMap(uint index, [NotNullWhen(true)] out TInner? map)
    {
        map = index < (uint)_maps.Length ? Volatile.Read(ref _maps[index]) : null;
        return map is not null;
    }

    /// <summary>Puts <paramref name="map"/> in slot <paramref name="index"/>, or empties it with null (CLR only: on the kernel the host does it).</summary>
    public void Set(uint index, TInner? map) => Volatile.Write(ref _maps[index], map);
}
