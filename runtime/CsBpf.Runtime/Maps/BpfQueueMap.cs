namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a queue map (<c>BPF_MAP_TYPE_QUEUE</c>, FIFO, no keys): the host enqueues and dequeues the
/// same values BPF code pushes and pops. Get one from <see cref="BpfObject.GetQueueMap{T}"/> or
/// <see cref="BpfMap.AsQueueMap{T}"/>.
/// </summary>
/// <typeparam name="T">The value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfQueueMap<T> : IDisposable
    where T : unmanaged
{
    internal BpfQueueMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The capacity (max_entries).</summary>
    public int Capacity => checked((int)Map.MaxEntries);

    /// <summary>Appends <paramref name="value"/> (<c>BPF_MAP_UPDATE_ELEM</c> with no key).</summary>
    /// <param name="value">The value.</param>
    /// <param name="dropOldestWhenFull">When the queue is full, drop its oldest value (<c>BPF_EXIST</c>) instead of failing.</param>
    /// <exception cref="BpfException">The queue is full (E2BIG) and <paramref name="dropOldestWhenFull"/> is false.</exception>
    public unsafe void Enqueue(T value, bool dropOldestWhenFull = false) =>
        Map.UpdateCore(null, &value, dropOldestWhenFull ? MapUpdateFlags.Exist : MapUpdateFlags.Any);

    /// <summary>Removes and returns the oldest value (<c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>).</summary>
    /// <returns>False (and <paramref name="value"/> default) when the queue is empty.</returns>
    public unsafe bool TryDequeue(out T value)
    {
        value = default;
        fixed (T* v = &value) return Map.PopCore(v);
    }

    /// <summary>Reads the oldest value without removing it (<c>BPF_MAP_LOOKUP_ELEM</c> with no key).</summary>
    /// <returns>False when the queue is empty.</returns>
    public unsafe bool TryPeek(out T value)
    {
        value = default;
        fixed (T* v = &value) return Map.LookupCore(null, v);
    }

    /// <summary>Dequeues until the queue is empty, oldest first.</summary>
    public IEnumerable<T> DequeueAll()
    {
        while (TryDequeue(out var value)) yield return value;
    }

    /// <summary>Closes a map opened from a pin; does nothing for a map of a <see cref="BpfObject"/>.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfQueueMap<{typeof(T).Name}> '{Name}'";
}
