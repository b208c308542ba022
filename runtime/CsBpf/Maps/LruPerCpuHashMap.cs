using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// A least-recently-used per-CPU hash map (<c>BPF_MAP_TYPE_LRU_PERCPU_HASH</c>, Linux 4.10) as seen from BPF code: each element holds
/// one value per CPU, a program sees and changes only the value of the CPU it runs on, and an update into a
/// full map evicts old elements (see <see cref="LruHashMap{TKey, TValue}"/>). The host reads every CPU's value
/// (<c>BpfPerCpuHashMap</c>). Declare it as a <c>[Map] static readonly</c> field. On the CLR the CPU is the one the thread runs on (<see cref="Bpf.GetSmpProcessorId"/>).
/// </summary>
/// <typeparam name="TKey">An unmanaged key type.</typeparam>
/// <typeparam name="TValue">An unmanaged value type (per CPU).</typeparam>
[BpfMapKind(BpfMapType.LruPerCpuHash)]
public sealed class LruPerCpuHashMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly ClrHashTable<TKey, TValue> _table;

    /// <summary>Declares an LRU per-CPU hash map.</summary>
    /// <param name="maxEntries">The maximum number of elements (<c>max_entries</c>).</param>
    public LruPerCpuHashMap(int maxEntries) => _table = new ClrHashTable<TKey, TValue>(maxEntries, ClrCpu.Count, lru: true);

    /// <summary>The maximum number of elements.</summary>
    public int MaxEntries => _table.MaxEntries;

    /// <summary>A reference to this CPU's value of <paramref name="key"/> (<c>bpf_map_lookup_elem</c>), or a null reference.</summary>
    [MapIntrinsic(MapOperation.LookupRef, Helper = 1)]
    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        TValue[]? values = _table.Find(key);
        if (values is null) return ref Unsafe.NullRef<TValue>();
        return ref values[ClrCpu.Current];
    }

    /// <summary>Copies this CPU's value of <paramref name="key"/> out if present.</summary>
    [MapIntrinsic(MapOperation.TryGetValue, Helper = 1)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        TValue[]? values = _table.Find(key);
        value = values is null ? default : values[ClrCpu.Current];
        return values is not null;
    }

    /// <summary>
    /// Sets this CPU's value of <paramref name="key"/> (<c>bpf_map_update_elem</c>); a new element starts with
    /// zero on every other CPU. Returns 0 or a negative errno (<c>-EEXIST</c>/<c>-ENOENT</c> for the flags).
    /// </summary>
    [MapIntrinsic(MapOperation.Update, Helper = 2)]
    public long Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any) => _table.Update(key, value, flags, ClrCpu.Current);

    /// <summary>Deletes an element, all CPUs' values with it (<c>bpf_map_delete_elem</c>). Returns 0 or <c>-ENOENT</c>.</summary>
    [MapIntrinsic(MapOperation.Delete, Helper = 3)]
    public long Delete(TKey key) => _table.Delete(key);

    /// <summary>Every CPU's value of <paramref name="key"/> (CLR only, what the host reads), or null when absent.</summary>
    public TValue[]? GetAllCpuValues(TKey key) => _table.Find(key)?.ToArray();
}
