using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a hash map (<c>BPF_MAP_TYPE_HASH</c> / <c>LRU_HASH</c>) whose key and value are the
/// unmanaged types <typeparamref name="TKey"/> and <typeparamref name="TValue"/>, read and written through the
/// map's fd. Get one from <see cref="BpfObject.GetHashMap{TKey, TValue}"/>, <see cref="BpfMap.AsHashMap{TKey, TValue}"/>
/// or <see cref="OpenPinned"/>.
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
/// <see cref="BpfException"/>. <see cref="LookupBatch"/> reads bucket by bucket instead, one system call per
/// batch, and never restarts.</para>
/// </remarks>
/// <typeparam name="TKey">The key type, exactly the map's key_size bytes.</typeparam>
/// <typeparam name="TValue">The value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfHashMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>, IDisposable
    where TKey : unmanaged
    where TValue : unmanaged
{
    internal BpfHashMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>Opens a hash map pinned at <paramref name="path"/> (see <see cref="BpfMap.OpenPinned"/>); dispose the view to close it.</summary>
    /// <param name="path">The pin's path on a bpffs.</param>
    /// <exception cref="BpfException">The pinned object is not a hash map with these key and value sizes.</exception>
    public static BpfHashMap<TKey, TValue> OpenPinned(string path)
    {
        var map = BpfMap.OpenPinned(path);
        try
        {
            return map.AsHashMap<TKey, TValue>();
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

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

    /// <summary>
    /// Reads the next batch of elements (<c>BPF_MAP_LOOKUP_BATCH</c>, one system call) into
    /// <paramref name="keys"/> and <paramref name="values"/>, continuing from <paramref name="cursor"/>. Loop until
    /// <see cref="BpfMapBatchCursor.IsComplete"/>; a call may return 0 elements before the end.
    /// </summary>
    /// <param name="cursor">Start with <c>default</c>; updated by each call.</param>
    /// <param name="keys">Receives the keys; its length is the batch capacity.</param>
    /// <param name="values">Receives the values; at least as long as <paramref name="keys"/>.</param>
    /// <returns>How many elements were written to the front of the spans.</returns>
    /// <exception cref="BpfException">A hash bucket holds more elements than the spans (ENOSPC): use bigger spans.</exception>
    /// <exception cref="BpfNotSupportedException">The kernel has no batch operations for this map.</exception>
    public unsafe int LookupBatch(ref BpfMapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
    {
        CheckBatchSpans(keys.Length, values.Length);
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
            return Map.LookupBatchCore(ref cursor, k, v, keys.Length, delete: false);
    }

    /// <summary>Like <see cref="LookupBatch"/>, deleting each element returned (<c>BPF_MAP_LOOKUP_AND_DELETE_BATCH</c>): drains the map.</summary>
    /// <param name="cursor">Start with <c>default</c>; updated by each call.</param>
    /// <param name="keys">Receives the keys.</param>
    /// <param name="values">Receives the values.</param>
    /// <returns>How many elements were read and deleted.</returns>
    public unsafe int LookupAndDeleteBatch(ref BpfMapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
    {
        CheckBatchSpans(keys.Length, values.Length);
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
            return Map.LookupBatchCore(ref cursor, k, v, keys.Length, delete: true);
    }

    /// <summary>
    /// Stores every <c>keys[i] → values[i]</c> in one system call (<c>BPF_MAP_UPDATE_BATCH</c>), creating or
    /// replacing each element. (The kernel's batch update takes no create-only/replace-only flag:
    /// <c>generic_map_update_batch</c> accepts only <c>BPF_F_LOCK</c> in <c>elem_flags</c>.)
    /// </summary>
    /// <param name="keys">The keys.</param>
    /// <param name="values">The values, as many as the keys.</param>
    /// <returns>The number of elements written (all of them).</returns>
    /// <exception cref="BpfException">The map filled up (E2BIG); the message says how many were written.</exception>
    public unsafe int UpdateBatch(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values)
    {
        if (keys.Length != values.Length)
            throw new ArgumentException($"UpdateBatch needs one value per key ({keys.Length} keys, {values.Length} values).", nameof(values));
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
            return Map.UpdateBatchCore(k, v, keys.Length);
    }

    /// <summary>Deletes every key of <paramref name="keys"/> that is in the map (<c>BPF_MAP_DELETE_BATCH</c>; missing keys are skipped).</summary>
    /// <param name="keys">The keys to delete.</param>
    /// <returns>How many keys were deleted.</returns>
    public unsafe int DeleteBatch(ReadOnlySpan<TKey> keys)
    {
        fixed (TKey* k = keys)
            return Map.DeleteBatchCore((byte*)k, keys.Length);
    }

    /// <summary>Reads the whole map with batch lookups (a few system calls instead of two per element).</summary>
    /// <param name="batchSize">Elements per system call.</param>
    public Dictionary<TKey, TValue> ToDictionary(int batchSize = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var result = new Dictionary<TKey, TValue>(MapEnumeration.KeyComparer<TKey>.Instance); // by bytes, as the kernel: keys may hold [InlineArray] fields
        var keys = new TKey[batchSize];
        var values = new TValue[batchSize];
        var cursor = default(BpfMapBatchCursor);
        while (!cursor.IsComplete)
        {
            var count = LookupBatch(ref cursor, keys, values);
            for (var i = 0; i < count; i++) result[keys[i]] = values[i];
        }
        return result;
    }

    /// <summary>The keys currently in the map (read in batches; see the remarks on concurrent changes).</summary>
    public IEnumerable<TKey> Keys
    {
        get
        {
            Map.ThrowIfNotLoaded("enumerate");
            return MapEnumeration.Elements<TKey, TValue>(Map).Select(e => e.Key);
        }
    }

    /// <summary>The number of elements, counted by walking the map (O(n) system calls).</summary>
    public int Count => Keys.Count();

    /// <summary>Deletes every element.</summary>
    public void Clear()
    {
        foreach (var key in Keys) Delete(key);
    }

    /// <summary>
    /// Walks the map: every element present for the whole walk is yielded exactly once, even while programs or
    /// other threads delete elements (read in batches of buckets, <c>BPF_MAP_LOOKUP_BATCH</c>, on Linux 5.6+; a
    /// key walk that skips keys it already yielded before that). An element added or deleted during the walk
    /// may or may not be yielded.
    /// </summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        Map.ThrowIfNotLoaded("enumerate");
        return MapEnumeration.Elements<TKey, TValue>(Map).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes a map opened with <see cref="OpenPinned"/>; does nothing for a map of a <see cref="BpfObject"/> (the object owns it).</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfHashMap<{typeof(TKey).Name}, {typeof(TValue).Name}> '{Name}'";

    private void CheckBatchSpans(int keys, int values)
    {
        if (values < keys)
            throw new ArgumentException($"The value span ({values}) must be at least as long as the key span ({keys}).", nameof(values));
    }
}
