namespace CsBpf;

/// <summary>
/// A LIFO stack map (<c>BPF_MAP_TYPE_STACK</c>, Linux 4.20) as seen from BPF code: values without keys, pushed
/// on top (<c>bpf_map_push_elem</c>) and popped or peeked from the top. The host pushes and pops too
/// (<c>BpfStackMap</c>). Declare it as a <c>[Map] static readonly</c> field. (Not to be confused with
/// <see cref="StackTraceMap"/>, which stores call stacks.)
/// </summary>
/// <typeparam name="T">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.Stack)]
public sealed class StackMap<T> where T : unmanaged
{
    private readonly LinkedList<T> _items = new();

    /// <summary>Declares a stack map.</summary>
    /// <param name="maxEntries">The capacity (<c>max_entries</c>).</param>
    public StackMap(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
    }

    /// <summary>The capacity.</summary>
    public int MaxEntries { get; }

    /// <summary>The number of values (CLR only).</summary>
    public int Count
    {
        get { lock (_items) return _items.Count; }
    }

    /// <summary>
    /// Pushes <paramref name="value"/> on top (<c>bpf_map_push_elem</c>, helper 87). Returns 0, or <c>-E2BIG</c>
    /// when full, unless <paramref name="flags"/> is <see cref="MapUpdateFlags.Exist"/>: then the oldest (bottom)
    /// value is dropped to make room.
    /// </summary>
    [MapIntrinsic(MapOperation.Push, Helper = 87)]
    public long Push(T value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        lock (_items) return ClrQueueStack.Push(_items, value, flags, MaxEntries);
    }

    /// <summary>Removes the top value (<c>bpf_map_pop_elem</c>, helper 88). False (and <c>default</c>) when empty.</summary>
    [MapIntrinsic(MapOperation.Pop, Helper = 88)]
    public bool TryPop(out T value)
    {
        lock (_items) return ClrQueueStack.Take(_items, out value, remove: true, fromFront: false);
    }

    /// <summary>Reads the top value without removing it (<c>bpf_map_peek_elem</c>, helper 89). False (and <c>default</c>) when empty.</summary>
    [MapIntrinsic(MapOperation.Peek, Helper = 89)]
    public bool TryPeek(out T value)
    {
        lock (_items) return ClrQueueStack.Take(_items, out value, remove: false, fromFront: false);
    }
}
