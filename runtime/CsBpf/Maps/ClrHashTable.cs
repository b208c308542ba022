namespace CsBpf;

/// <summary>
/// The CLR model of the kernel's hash maps (plain, LRU, per-CPU), so map code run on the CLR behaves as in the
/// kernel: a bounded number of elements, update flags, per-CPU slots, least-recently-used eviction. Each element
/// owns an array of slots (one, or one per CPU), so a reference to a value stays valid while the element exists,
/// as a pointer returned by <c>bpf_map_lookup_elem</c> does.
/// </summary>
internal sealed class ClrHashTable<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly Dictionary<TKey, Entry> _entries = new(BitwiseKeyComparer<TKey>.Instance); // by bytes, as the kernel
    private readonly LinkedList<TKey> _recency = new(); // first = most recently used (LRU maps only)
    private readonly int _slots;
    private readonly bool _lru;

    private sealed record Entry(TValue[] Values, LinkedListNode<TKey>? Node);

    public ClrHashTable(int maxEntries, int slots, bool lru)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
        _slots = slots;
        _lru = lru;
    }

    public object Gate { get; } = new();

    public int MaxEntries { get; }

    public int Count
    {
        get { lock (Gate) return _entries.Count; }
    }

    /// <summary>The element's slots, or null; an LRU lookup marks the element as recently used.</summary>
    public TValue[]? Find(TKey key)
    {
        lock (Gate)
        {
            if (!_entries.TryGetValue(key, out Entry? entry)) return null;
            Touch(entry);
            return entry.Values;
        }
    }

    /// <summary>
    /// <c>bpf_map_update_elem</c> from a program: a new element gets <paramref name="value"/> in slot
    /// <paramref name="slot"/> and zeroes elsewhere (the kernel's <c>pcpu_init_value</c>), an existing one has
    /// that slot replaced. Returns 0 or the helper's negative errno.
    /// </summary>
    public long Update(TKey key, TValue value, MapUpdateFlags flags, int slot)
    {
        if ((ulong)flags > (ulong)MapUpdateFlags.Exist) return -ClrErrno.EINVAL;
        lock (Gate)
        {
            bool exists = _entries.TryGetValue(key, out Entry? entry);
            if (flags == MapUpdateFlags.NoExist && exists) return -ClrErrno.EEXIST;
            if (flags == MapUpdateFlags.Exist && !exists) return -ClrErrno.ENOENT;
            if (exists)
            {
                entry!.Values[slot] = value;
                Touch(entry);
                return 0;
            }
            if (_entries.Count >= MaxEntries)
            {
                // A full LRU map makes room by evicting its least recently used element; the others refuse.
                if (!_lru) return -ClrErrno.E2BIG;
                TKey oldest = _recency.Last!.Value;
                _recency.RemoveLast();
                _entries.Remove(oldest);
            }
            var values = new TValue[_slots];
            values[slot] = value;
            _entries[key] = new Entry(values, _lru ? _recency.AddFirst(key) : null);
            return 0;
        }
    }

    /// <summary><c>bpf_map_delete_elem</c>: 0 or <c>-ENOENT</c>.</summary>
    public long Delete(TKey key)
    {
        lock (Gate)
        {
            if (!_entries.Remove(key, out Entry? entry)) return -ClrErrno.ENOENT;
            if (entry.Node is not null) _recency.Remove(entry.Node);
            return 0;
        }
    }

    /// <summary>A snapshot of the keys (for CLR-side inspection).</summary>
    public TKey[] Keys()
    {
        lock (Gate) return [.. _entries.Keys];
    }

    private void Touch(Entry entry)
    {
        if (entry.Node is null) return;
        _recency.Remove(entry.Node);
        _recency.AddFirst(entry.Node);
    }
}
