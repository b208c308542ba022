namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a stack map (<c>BPF_MAP_TYPE_STACK</c>, LIFO, no keys): the host pushes and pops the
/// same values BPF code pushes and pops. Get one from <see cref="BpfObject.GetStackMap{T}"/> or
/// <see cref="BpfMap.AsStackMap{T}"/>.
/// </summary>
/// <typeparam name="T">The value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfStackMap<T> : IDisposable
    where T : unmanaged
{
    internal BpfStackMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The capacity (max_entries).</summary>
    public int Capacity => checked((int)Map.MaxEntries);

    /// <summary>Pushes <paramref name="value"/> (<c>BPF_MAP_UPDATE_ELEM</c> with no key).</summary>
    /// <param name="value">The value.</param>
    /// <param name="dropOldestWhenFull">When the stack is full, drop its oldest (bottom) value (<c>BPF_EXIST</c>) instead of failing.</param>
    /// <exception cref="BpfException">The stack is full (E2BIG) and <paramref name="dropOldestWhenFull"/> is false.</exception>
    public unsafe void Push(T value, bool dropOldestWhenFull = false) =>
        Map.UpdateCore(null, &value, dropOldestWhenFull ? MapUpdateFlags.Exist : MapUpdateFlags.Any);

    /// <summary>Removes and returns the top (newest) value (<c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>).</summary>
    /// <returns>False (and <paramref name="value"/> default) when the stack is empty.</returns>
    public unsafe bool TryPop(out T value)
    {
        value = default;
        fixed (T* v = &value) return Map.PopCore(v);
    }

    /// <summary>Reads the top value without removing it (<c>BPF_MAP_LOOKUP_ELEM</c> with no key).</summary>
    /// <returns>False when the stack is empty.</returns>
    public unsafe bool TryPeek(out T value)
    {
        value = default;
        fixed (T* v = &value) return Map.LookupCore(null, v);
    }

    /// <summary>Pops until the stack is empty, newest first.</summary>
    public IEnumerable<T> PopAll()
    {
        while (TryPop(out var value)) yield return value;
    }

    /// <summary>Closes a map opened from a pin; does nothing for a map of a <see cref="BpfObject"/>.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfStackMap<{typeof(T).Name}> '{Name}'";
}
