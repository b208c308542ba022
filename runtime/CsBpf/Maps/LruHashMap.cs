using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// A least-recently-used hash map (<c>BPF_MAP_TYPE_LRU_HASH</c>, Linux 4.10) as seen from BPF code: like
/// <see cref="HashMap{TKey, TValue}"/>, but an update into a full map evicts old elements instead of failing
/// with <c>-E2BIG</c>. Declare it as a <c>[Map] static readonly</c> field. On the CLR the eviction is exact
/// LRU; the kernel's is approximate (per-CPU free lists and a reference bit, <c>kernel/bpf/bpf_lru_list.c</c>),
/// so code must not depend on which element goes first.
/// </summary>
/// <typeparam name="TKey">An unmanaged key type.</typeparam>
/// <typeparam name="TValue">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.LruHash)]
public sealed class LruHashMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly ClrHashTable<TKey, TValue> _table;

    /// <summary>Declares an LRU hash map.</summary>
    /// <param name="maxEntries">The maximum number of elements (<c>max_entries</c>).</param>
    public LruHashMap(int maxEntries) => _table = new ClrHashTable<TKey, TValue>(maxEntries, slots: 1, lru: true);

    /// <summary>The maximum number of elements.</summary>
    public int MaxEntries => _table.MaxEntries;

    /// <summary>The number of elements (CLR only: BPF code cannot count a map).</summary>
    public int Count => _table.Count;

    /// <summary>Looks up <paramref name="key"/> (<c>bpf_map_lookup_elem</c>, which also marks the element as
    /// used): a reference to the value in the map, or a null reference when the key is absent.</summary>
    [MapIntrinsic(MapOperation.LookupRef, Helper = 1)]
    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        TValue[]? values = _table.Find(key);
        if (values is null) return ref Unsafe.NullRef<TValue>();
        return ref values[0];
    }

    /// <summary>Copies the value of <paramref name="key"/> out if present (<c>bpf_map_lookup_elem</c>).</summary>
    [MapIntrinsic(MapOperation.TryGetValue, Helper = 1)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        TValue[]? values = _table.Find(key);
        value = values is null ? default : values[0];
        return values is not null;
    }

    /// <summary>Creates or updates an element (<c>bpf_map_update_elem</c>), evicting old elements when the map
    /// is full. Returns 0 or a negative errno: <c>-EEXIST</c>/<c>-ENOENT</c> for the flags.</summary>
    [MapIntrinsic(MapOperation.Update, Helper = 2)]
    public long Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any) => _table.Update(key, value, flags, 0);

    /// <summary>Deletes an element (<c>bpf_map_delete_elem</c>). Returns 0 or <c>-ENOENT</c>.</summary>
    [MapIntrinsic(MapOperation.Delete, Helper = 3)]
    public long Delete(TKey key) => _table.Delete(key);
}
