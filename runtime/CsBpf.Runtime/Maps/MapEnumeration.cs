using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Enumerating a hash map while programs (or other threads) delete from it. <c>bpf_map_get_next_key</c> restarts
/// from the first key when the key it is given was deleted, so a plain key walk can yield keys twice and, on a
/// busy map, never end. Two remedies, best first:
/// <list type="number">
/// <item>batches (<c>BPF_MAP_LOOKUP_BATCH</c>, Linux 5.6+): the kernel walks the hash buckets with a bucket index
/// as its cursor, which deletions cannot send back, and copies a bucket's elements atomically; a batch of
/// elements per system call is also much faster than two calls per key;</item>
/// <item>without batch support, the key walk, one key ahead (the caller may delete the key it was given) and
/// remembering what it yielded, so a restart yields nothing twice.</item>
/// </list>
/// Either way every element present for the whole enumeration is yielded exactly once; an element added or
/// deleted during it may or may not be (a batch is a snapshot of its buckets at the time it is read).
/// </summary>
internal static class MapEnumeration
{
    /// <summary>Elements per batch at first (doubled when a bucket holds more: ENOSPC).</summary>
    internal const int InitialBatchSize = 256;

    /// <summary>The map's elements, batched when the kernel can, else by key walk.</summary>
    public static IEnumerable<KeyValuePair<TKey, TValue>> Elements<TKey, TValue>(BpfMap map)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        var capacity = (int)Math.Min(InitialBatchSize, Math.Max(1u, map.MaxEntries));
        var keys = new TKey[capacity];
        var values = new TValue[capacity];
        var cursor = default(BpfMapBatchCursor);
        while (!cursor.IsComplete)
        {
            var count = NextBatch(map, ref cursor, ref keys, ref values);
            if (count < 0)
            {
                // No batch operations here (before any element was yielded): walk the keys instead.
                foreach (var key in map.EnumerateKeys<TKey>())
                    if (TryLookup(map, key, out TValue value)) // deleted since it was listed: skip it
                        yield return new KeyValuePair<TKey, TValue>(key, value);
                yield break;
            }
            for (var i = 0; i < count; i++) yield return new KeyValuePair<TKey, TValue>(keys[i], values[i]);
        }
    }

    private static unsafe bool TryLookup<TKey, TValue>(BpfMap map, TKey key, out TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        value = default;
        fixed (TValue* v = &value)
            return map.LookupCore(&key, v);
    }

    /// <summary>One batch; -1 when the kernel has no batch operations for the map (only on the first call).</summary>
    private static unsafe int NextBatch<TKey, TValue>(BpfMap map, ref BpfMapBatchCursor cursor, ref TKey[] keys, ref TValue[] values)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        while (true)
        {
            try
            {
                fixed (TKey* k = keys)
                fixed (TValue* v = values)
                    return map.LookupBatchCore(ref cursor, k, v, keys.Length, delete: false);
            }
            catch (BpfNotSupportedException) when (!cursor.Started)
            {
                return -1;
            }
            catch (BpfException e) when (e.Errno == Errno.ENOSPC && keys.Length < int.MaxValue / 2)
            {
                // One bucket holds more elements than the buffers: the cursor did not move, retry with room for it.
                keys = new TKey[keys.Length * 2];
                values = new TValue[values.Length * 2];
            }
        }
    }

    /// <summary>Byte-wise equality of unmanaged keys (what the kernel compares), for the key walk's memory of yielded keys.</summary>
    internal sealed class KeyComparer<TKey> : IEqualityComparer<TKey>
        where TKey : unmanaged
    {
        public static readonly KeyComparer<TKey> Instance = new();

        public bool Equals(TKey x, TKey y) =>
            MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in x)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in y)));

        public int GetHashCode(TKey key)
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)));
            return hash.ToHashCode();
        }
    }
}
