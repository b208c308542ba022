using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A typed view of an LPM trie (<c>BPF_MAP_TYPE_LPM_TRIE</c>): prefixes <see cref="LpmKey{TData}"/> mapped to
/// <typeparamref name="TValue"/>. <see cref="TryGetValue"/> is a longest-prefix match, as in BPF code:
/// the value of the longest stored prefix that matches the first <c>PrefixLength</c> bits of the key's data.
/// <see cref="Update"/> and <see cref="Delete"/> work on exact prefixes. Get one from
/// <see cref="BpfObject.GetLpmTrieMap{TData, TValue}"/> or <see cref="BpfMap.AsLpmTrieMap{TData, TValue}"/>.
/// </summary>
/// <typeparam name="TData">The prefix data (an IPv4 address as a network-order <see cref="uint"/>, ...).</typeparam>
/// <typeparam name="TValue">The value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfLpmTrieMap<TData, TValue> : IEnumerable<KeyValuePair<LpmKey<TData>, TValue>>, IDisposable
    where TData : unmanaged
    where TValue : unmanaged
{
    internal BpfLpmTrieMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The longest prefix a key can have: the data's size in bits.</summary>
    public unsafe uint MaxPrefixLength => (uint)sizeof(TData) * 8;

    /// <summary>Longest-prefix lookup of <paramref name="key"/>.</summary>
    /// <returns>False (and <paramref name="value"/> default) when no stored prefix matches.</returns>
    public unsafe bool TryGetValue(LpmKey<TData> key, out TValue value)
    {
        value = default;
        fixed (TValue* v = &value)
            return Map.LookupCore(&key, v);
    }

    /// <summary>Longest-prefix lookup of all <see cref="MaxPrefixLength"/> bits of <paramref name="data"/> (an address, not a prefix).</summary>
    public bool TryMatch(TData data, out TValue value) => TryGetValue(new LpmKey<TData>(MaxPrefixLength, data), out value);

    /// <summary>Gets (longest-prefix match) or sets (exact prefix) a value.</summary>
    /// <exception cref="KeyNotFoundException">Getting a key no prefix matches.</exception>
    public TValue this[LpmKey<TData> key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No prefix of LPM trie '{Name}' matches {key}.");
        set => Update(key, value);
    }

    /// <summary>Stores the prefix <paramref name="key"/> (<c>bpf_map_update_elem</c>).</summary>
    /// <exception cref="BpfException">The trie is full (ENOSPC), the prefix is longer than the data (EINVAL), or the flags forbid it.</exception>
    public unsafe void Update(LpmKey<TData> key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any) => Map.UpdateCore(&key, &value, flags);

    /// <summary>Removes exactly the prefix <paramref name="key"/>.</summary>
    /// <returns>False when that prefix is not stored.</returns>
    public unsafe bool Delete(LpmKey<TData> key) => Map.DeleteCore(&key);

    /// <summary>The stored prefixes (a live walk with <c>bpf_map_get_next_key</c>, Linux 4.16+: shorter prefixes of a subtree first).</summary>
    public IEnumerable<LpmKey<TData>> Keys
    {
        get
        {
            Map.ThrowIfNotLoaded("enumerate");
            return Map.EnumerateKeys<LpmKey<TData>>();
        }
    }

    /// <summary>The number of stored prefixes, counted by walking the trie.</summary>
    public int Count => Keys.Count();

    /// <summary>
    /// Each stored prefix with its value. A walked key is a stored prefix, so looking it up finds its own value
    /// (no longer prefix can match within its length); a prefix deleted meanwhile is skipped or, if a shorter one
    /// covers it, reported with that one's value.
    /// </summary>
    public IEnumerator<KeyValuePair<LpmKey<TData>, TValue>> GetEnumerator()
    {
        foreach (var key in Keys)
            if (TryGetValue(key, out var value))
                yield return new KeyValuePair<LpmKey<TData>, TValue>(key, value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes a map opened from a pin; does nothing for a map of a <see cref="BpfObject"/>.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfLpmTrieMap<{typeof(TData).Name}, {typeof(TValue).Name}> '{Name}'";
}
