using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a per-CPU hash map (<c>BPF_MAP_TYPE_PERCPU_HASH</c> / <c>LRU_PERCPU_HASH</c>): each key holds
/// one <typeparamref name="TValue"/> per possible CPU (<see cref="CpuCount"/>). Enumeration follows the same rules
/// as <see cref="BpfHashMap{TKey, TValue}"/>. Get one from <see cref="BpfObject.GetPerCpuHashMap{TKey, TValue}"/>
/// or <see cref="BpfMap.AsPerCpuHashMap{TKey, TValue}"/>.
/// </summary>
/// <typeparam name="TKey">The key type, exactly the map's key_size bytes.</typeparam>
/// <typeparam name="TValue">The per-CPU value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfPerCpuHashMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue[]>>, IDisposable
    where TKey : unmanaged
    where TValue : unmanaged
{
    internal BpfPerCpuHashMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>Values per key: the number of possible CPUs (<see cref="BpfMap.PossibleCpuCount"/>).</summary>
    public int CpuCount => BpfMap.PossibleCpuCount;

    /// <summary>Gets (a new array, one value per CPU) or sets (<see cref="MapUpdateFlags.Any"/>, exactly <see cref="CpuCount"/> values) the values of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not in the map.</exception>
    public TValue[] this[TKey key]
    {
        get => TryGetValue(key, out var values) ? values : throw new KeyNotFoundException($"Map '{Name}' has no element with key {key}.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Update(key, value);
        }
    }

    /// <summary>Reads every CPU's value for <paramref name="key"/> into a new array.</summary>
    /// <returns>False when the key is not in the map.</returns>
    public bool TryGetValue(TKey key, out TValue[] values)
    {
        var buffer = new TValue[CpuCount];
        if (TryGetValue(key, buffer))
        {
            values = buffer;
            return true;
        }
        values = [];
        return false;
    }

    /// <summary>Reads every CPU's value for <paramref name="key"/> into <paramref name="values"/> (exactly <see cref="CpuCount"/> elements).</summary>
    /// <returns>False when the key is not in the map.</returns>
    public unsafe bool TryGetValue(TKey key, Span<TValue> values) => PerCpuValues.Lookup(Map, &key, values);

    /// <summary>Stores one value per CPU under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="values">Exactly <see cref="CpuCount"/> values.</param>
    /// <param name="flags">Create-only, replace-only or either.</param>
    public unsafe void Update(TKey key, ReadOnlySpan<TValue> values, MapUpdateFlags flags = MapUpdateFlags.Any) =>
        PerCpuValues.Update(Map, &key, values, flags);

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <returns>False when the key was not in the map.</returns>
    public unsafe bool Delete(TKey key) => Map.DeleteCore(&key);

    /// <summary>The keys currently in the map (a live walk).</summary>
    public IEnumerable<TKey> Keys
    {
        get
        {
            Map.ThrowIfNotLoaded("enumerate");
            return Map.EnumerateKeys<TKey>();
        }
    }

    /// <summary>Walks the map, yielding each key with its per-CPU values.</summary>
    public IEnumerator<KeyValuePair<TKey, TValue[]>> GetEnumerator()
    {
        foreach (var key in Keys)
            if (TryGetValue(key, out TValue[] values))
                yield return new KeyValuePair<TKey, TValue[]>(key, values);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes a map opened from a pin; does nothing for a map of a <see cref="BpfObject"/> (the object owns it).</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfPerCpuHashMap<{typeof(TKey).Name}, {typeof(TValue).Name}> '{Name}' x {CpuCount} CPUs";
}
