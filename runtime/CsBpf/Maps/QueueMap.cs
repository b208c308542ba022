namespace CsBpf;

/// <summary>
/// A FIFO queue map (<c>BPF_MAP_TYPE_QUEUE</c>, Linux 4.20) as seen from BPF code: values without keys,
/// pushed at the back (<c>bpf_map_push_elem</c>) and popped or peeked at the front (<c>bpf_map_pop_elem</c>,
/// <c>bpf_map_peek_elem</c>). The host enqueues and dequeues too (<c>BpfQueueMap</c>). Declare it as a
/// <c>[Map] static readonly</c> field.
/// </summary>
/// <typeparam name="T">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.Queue)]
public sealed class QueueMap<T> where T : unmanaged
{
    private readonly LinkedList<T> _items = new();

    /// <summary>Declares a queue map.</summary>
    /// <param name="maxEntries">The capacity (<c>max_entries</c>).</param>
    public QueueMap(int maxEntries)
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
    /// Appends <paramref name="value"/> (<c>bpf_map_push_elem</c>, helper 87). Returns 0, or <c>-E2BIG</c> when
    /// the queue is full, unless <paramref name="flags"/> is <see cref="MapUpdateFlags.Exist"/> (<c>BPF_EXIST</c>):
    /// then the oldest value is dropped to make room.
    /// </summary>
    [MapIntrinsic(MapOperation.Push, Helper = 87)]
    public long Push(T value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        lock (_items) return ClrQueueStack.Push(_items, value, flags, MaxEntries);
    }

    /// <summary>Removes the oldest value (<c>bpf_map_pop_elem</c>, helper 88). False (and <c>default</c>) when empty.</summary>
    [MapIntrinsic(MapOperation.Pop, Helper = 88)]
    public bool TryPop(out T value)
    {
        lock (_items) return ClrQueueStack.Take(_items, out value, remove: true, fromFront: true);
    }

    /// <summary>Reads the oldest value without removing it (<c>bpf_map_peek_elem</c>, helper 89). False (and <c>default</c>) when empty.</summary>
    [MapIntrinsic(MapOperation.Peek, Helper = 89)]
    public bool TryPeek(out T value)
    {
        lock (_items) return ClrQueueStack.Take(_items, out value, remove: false, fromFront: true);
    }
}

/// <summary>The CLR model of the kernel's queue and stack maps (<c>kernel/bpf/queue_stack_maps.c</c>).</summary>
internal static class ClrQueueStack
{
    public static long Push<T>(LinkedList<T> items, T value, MapUpdateFlags flags, int capacity)
    {
        // queue_stack_map_push_elem: only BPF_EXIST is accepted, meaning "make room by dropping the oldest".
        if (flags != MapUpdateFlags.Any && flags != MapUpdateFlags.Exist) return -ClrErrno.EINVAL;
        if (items.Count >= capacity)
        {
            if (flags != MapUpdateFlags.Exist) return -ClrErrno.E2BIG;
            items.RemoveFirst(); // both drop their oldest value: the kernel advances the shared tail
        }
        items.AddLast(value);
        return 0;
    }

    public static bool Take<T>(LinkedList<T> items, out T value, bool remove, bool fromFront)
    {
        if (items.Count == 0)
        {
            value = default!; // the kernel zeroes the value of an empty pop/peek
            return false;
        }
        LinkedListNode<T> node = fromFront ? items.First! : items.Last!;
        value = node.Value;
        if (remove) items.Remove(node);
        return true;
    }
}
