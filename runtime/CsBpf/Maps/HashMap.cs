using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// A BPF hash map (<c>BPF_MAP_TYPE_HASH</c>) as seen from BPF code. Declare it as a
/// <c>[Map] static readonly</c> field. On the CLR it is an in-memory table with the same size limit and error
/// codes, so BPF methods can be unit-tested without a kernel; a reference from <see cref="GetValueRefOrNullRef"/>
/// stays valid while the element exists, like the pointer <c>bpf_map_lookup_elem</c> returns.
/// </summary>
/// <typeparam name="TKey">An unmanaged key type (its BTF describes the map's key).</typeparam>
/// <typeparam name="TValue">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.Hash)]
[BpfHostView("CsBpf.Runtime.BpfHashMap`2", "GetHashMap")]
public sealed class HashMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly ClrHashTable<TKey, TValue> _table;

    /// <summary>Declares a hash map.</summary>
    /// <param name="maxEntries">The maximum number of elements (<c>max_entries</c>).</param>
    public HashMap(int maxEntries) => _table = new ClrHashTable<TKey, TValue>(maxEntries, slots: 1, lru: false);

    /// <summary>The maximum number of elements.</summary>
    public int MaxEntries => _table.MaxEntries;

    /// <summary>
    /// Looks up <paramref name="key"/> (<c>bpf_map_lookup_elem</c>) and returns a reference to the value
    /// in the map, or a null reference (test it with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>)
    /// when the key is absent. Writes through the reference change the map.
    /// </summary>
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

    /// <summary>
    /// Creates or updates an element (<c>bpf_map_update_elem</c>). Returns 0 or a negative errno, as the
    /// helper does: <c>-E2BIG</c> when the map is full, <c>-EEXIST</c>/<c>-ENOENT</c> for the flags,
    /// <c>-EINVAL</c> for unknown flags.
    /// </summary>
    [MapIntrinsic(MapOperation.Update, Helper = 2)]
    public long Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any) => _table.Update(key, value, flags, 0);

    /// <summary>Deletes an element (<c>bpf_map_delete_elem</c>). Returns 0 or <c>-ENOENT</c>.</summary>
    [MapIntrinsic(MapOperation.Delete, Helper = 3)]
    public long Delete(TKey key) => _table.Delete(key);
}
