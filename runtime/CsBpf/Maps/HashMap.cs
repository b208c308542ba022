using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// A BPF hash map (<c>BPF_MAP_TYPE_HASH</c>) as seen from BPF code. Declare it as a
/// <c>[Map] static readonly</c> field. On the CLR it is backed by a dictionary with the same size limit,
/// so BPF methods can be unit-tested without a kernel.
/// </summary>
/// <typeparam name="TKey">An unmanaged key type (its BTF describes the map's key).</typeparam>
/// <typeparam name="TValue">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.Hash)]
[BpfHostView("CsBpf.Runtime.BpfHashMap`2", "GetHashMap")]
public sealed class HashMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly Dictionary<TKey, TValue> _entries = new();
    private readonly object _gate = new();

    /// <summary>Declares a hash map.</summary>
    /// <param name="maxEntries">The maximum number of elements (<c>max_entries</c>).</param>
    public HashMap(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
    }

    /// <summary>The maximum number of elements.</summary>
    public int MaxEntries { get; }

    /// <summary>
    /// Looks up <paramref name="key"/> (<c>bpf_map_lookup_elem</c>) and returns a reference to the value
    /// in the map, or a null reference (test it with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>)
    /// when the key is absent. Writes through the reference change the map.
    /// </summary>
    [MapIntrinsic(MapOperation.LookupRef)]
    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        lock (_gate) return ref CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
    }

    /// <summary>Copies the value of <paramref name="key"/> out if present (<c>bpf_map_lookup_elem</c>).</summary>
    [MapIntrinsic(MapOperation.TryGetValue)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        lock (_gate) return _entries.TryGetValue(key, out value);
    }

    /// <summary>
    /// Creates or updates an element (<c>bpf_map_update_elem</c>). Returns 0 or a negative errno, as the
    /// helper does: <c>-E2BIG</c> when the map is full, <c>-EEXIST</c>/<c>-ENOENT</c> for the flags.
    /// </summary>
    [MapIntrinsic(MapOperation.Update)]
    public long Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        lock (_gate)
        {
            bool exists = _entries.ContainsKey(key);
            if (flags == MapUpdateFlags.NoExist && exists) return -17; // EEXIST
            if (flags == MapUpdateFlags.Exist && !exists) return -2;   // ENOENT
            if (!exists && _entries.Count >= MaxEntries) return -7;    // E2BIG
            _entries[key] = value;
            return 0;
        }
    }

    /// <summary>Deletes an element (<c>bpf_map_delete_elem</c>). Returns 0 or <c>-ENOENT</c>.</summary>
    [MapIntrinsic(MapOperation.Delete)]
    public long Delete(TKey key)
    {
        lock (_gate) return _entries.Remove(key) ? 0 : -2;
    }
}
