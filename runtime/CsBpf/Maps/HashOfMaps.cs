using System.Diagnostics.CodeAnalysis;

namespace CsBpf;

/// <summary>
/// A hash of maps (<c>BPF_MAP_TYPE_HASH_OF_MAPS</c>, Linux 4.12) as seen from BPF code: keys mapping to maps
/// shaped like <c>inner</c>. The host adds and removes the inner maps (<c>BpfHashOfMaps</c>); BPF code looks one
/// up with <see cref="TryGetMap"/> and uses it with its own methods. Declare it as
/// <c>[Map] static readonly HashOfMaps&lt;uint, ArrayMap&lt;ulong&gt;&gt; PerCgroup = new(maxEntries: 64, inner: new(maxEntries: 8));</c>
/// </summary>
/// <typeparam name="TKey">An unmanaged key type.</typeparam>
/// <typeparam name="TInner">The inner map type (not a map of maps).</typeparam>
[BpfMapKind(BpfMapType.HashOfMaps)]
public sealed class HashOfMaps<TKey, TInner>
    where TKey : unmanaged
    where TInner : class
{
    private readonly Dictionary<TKey, TInner> _maps = new(BitwiseKeyComparer<TKey>.Instance);

    /// <summary>Declares a hash of maps.</summary>
    /// <param name="maxEntries">The maximum number of inner maps (<c>max_entries</c>).</param>
    /// <param name="inner">The template every inner map must match (not itself stored).</param>
    public HashOfMaps(int maxEntries, TInner inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentNullException.ThrowIfNull(inner);
        MaxEntries = maxEntries;
        Inner = inner;
    }

    /// <summary>The maximum number of inner maps.</summary>
    public int MaxEntries { get; }

    /// <summary>The template of the inner maps.</summary>
    public TInner Inner { get; }

    /// <summary>The map stored under <paramref name="key"/> (<c>bpf_map_lookup_elem</c>), or false.</summary>
    [MapIntrinsic(MapOperation.LookupMap, Helper = 1)]
    public bool TryGetMap(TKey key, [NotNullWhen(true)] out TInner? map)
    {
        lock (_maps) return _maps.TryGetValue(key, out map);
    }

    /// <summary>Stores <paramref name="map"/> under <paramref name="key"/> (CLR only). Returns 0 or <c>-E2BIG</c> when full.</summary>
    public long Set(TKey key, TInner map)
    {
        ArgumentNullException.ThrowIfNull(map);
        lock (_maps)
        {
            if (!_maps.ContainsKey(key) && _maps.Count >= MaxEntries) return -ClrErrno.E2BIG;
            _maps[key] = map;
            return 0;
        }
    }

    /// <summary>Removes the map stored under <paramref name="key"/> (CLR only). Returns 0 or <c>-ENOENT</c>.</summary>
    public long Remove(TKey key)
    {
        lock (_maps) return _maps.Remove(key) ? 0 : -ClrErrno.ENOENT;
    }
}
