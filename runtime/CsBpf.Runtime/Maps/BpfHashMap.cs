using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a loaded hash map (<c>BPF_MAP_TYPE_HASH</c> / <c>LRU_HASH</c>) whose key and value are the
/// unmanaged types <typeparamref name="TKey"/> and <typeparamref name="TValue"/>, read and written through the
/// map's fd. Get one from <see cref="BpfObject.GetHashMap{TKey, TValue}"/>.
/// </summary>
/// <remarks>
/// <para>Keys are compared by the kernel byte for byte, padding included: give key structs no implicit padding
/// (or always create them zero-initialized).</para>
/// <para>Enumeration (<see cref="Keys"/>, <see cref="Count"/>, <c>foreach</c>) walks the live map with
/// <c>bpf_map_get_next_key</c> and tolerates concurrent changes. A key deleted between being listed and being
/// read is skipped. The walk fetches each next key before handing out the current one, so deleting the key
/// just received (as <see cref="Clear"/> does) is safe and visits every key once. When something else (another
/// thread, the BPF program) deletes the key the walk stands on, the kernel's hash map restarts from its first
/// key, so keys may then be seen more than once; a walk longer than twice <c>max_entries</c> is aborted with
/// <see cref="BpfException"/>.</para>
/// </remarks>
/// <typeparam name="TKey">The key type, exactly the map's key_size bytes.</typeparam>
/// <typeparam name="TValue">The value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfHashMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged
    where TValue : unmanaged
{
    internal BpfHashMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>Reads the value stored under <paramref name="key"/>.</summary>
    /// <returns>False (and <paramref name="value"/> default) when the key is not in the map.</returns>
    public unsafe bool TryGetValue(TKey key, out TValue value)
    {
        value = default;
        fixed (TValue* v = &value)
            return Map.LookupCore(&key, v);
    }

    /// <summary>Gets or sets (<see cref="MapUpdateFlags.Any"/>) the value stored under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not in the map.</exception>
    public TValue this[TKey key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"Map '{Name}' has no element with key {key}.");
        set => Update(key, value);
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> (<c>bpf_map_update_elem</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="flags"><see cref="MapUpdateFlags.Any"/>, <see cref="MapUpdateFlags.NoExist"/> (create only) or <see cref="MapUpdateFlags.Exist"/> (replace only).</param>
    /// <exception cref="BpfException">The key exists / does not exist as <paramref name="flags"/> forbid, or the map is full.</exception>
    public unsafe void Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any) => Map.UpdateCore(&key, &value, flags);

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <returns>False when the key was not in the map.</returns>
    public unsafe bool Delete(TKey key) => Map.DeleteCore(&key);

    /// <summary>True when <paramref name="key"/> is in the map.</summary>
    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>The keys currently in the map (a live walk; see the remarks on concurrent changes).</summary>
    public IEnumerable<TKey> Keys
    {
        get
        {
            Map.ThrowIfNotLoaded($"enumerate map '{Name}'");
            return EnumerateKeys();
        }
    }

    /// <summary>The number of elements, counted by walking the map (O(n) system calls).</summary>
    public int Count => Keys.Count();

    /// <summary>Deletes every element.</summary>
    public void Clear()
    {
        foreach (var key in Keys) Delete(key);
    }

    /// <summary>Walks the map, yielding each element that still exists when it is read.</summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        foreach (var key in Keys)
            if (TryGetValue(key, out var value)) // deleted since it was listed: skip it
                yield return new KeyValuePair<TKey, TValue>(key, value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"BpfHashMap<{typeof(TKey).Name}, {typeof(TValue).Name}> '{Name}'";

    private IEnumerable<TKey> EnumerateKeys()
    {
        // One key ahead: the next key is fetched while the current one still exists, so the caller may delete
        // the key it was just given without sending the kernel's walk back to the first key.
        if (!TryGetNextKey(first: true, default, out var current)) yield break;
        for (long steps = 1; ; steps++)
        {
            var hasNext = TryGetNextKey(first: false, current, out var next);
            yield return current;
            if (!hasNext) yield break;
            if (steps >= Map.MaxEnumerationSteps) throw Map.EnumerationAborted();
            current = next;
        }
    }

    private unsafe bool TryGetNextKey(bool first, TKey current, out TKey next)
    {
        next = default;
        fixed (TKey* n = &next)
            return Map.NextKeyCore(first ? null : &current, n);
    }
}
