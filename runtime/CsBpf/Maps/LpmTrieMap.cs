using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// A longest-prefix-match trie (<c>BPF_MAP_TYPE_LPM_TRIE</c>, Linux 4.11) as seen from BPF code: keys are
/// <see cref="LpmKey{TData}"/> prefixes, and a lookup returns the value of the longest stored prefix that
/// matches the looked-up data (within the looked-up key's own prefix length), as routing tables and CIDR
/// allow/deny lists need. Declare it as a <c>[Map] static readonly</c> field; the compiler sets
/// <c>BPF_F_NO_PREALLOC</c>, which the kernel requires for this type.
/// </summary>
/// <typeparam name="TData">The prefix data (see <see cref="LpmKey{TData}"/>).</typeparam>
/// <typeparam name="TValue">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.LpmTrie)]
public sealed class LpmTrieMap<TData, TValue>
    where TData : unmanaged
    where TValue : unmanaged
{
    private readonly List<Entry> _entries = new();
    private readonly object _gate = new();

    private sealed record Entry(uint PrefixLength, byte[] Data, TValue[] Value);

    /// <summary>Declares an LPM trie.</summary>
    /// <param name="maxEntries">The maximum number of prefixes (<c>max_entries</c>).</param>
    public LpmTrieMap(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
    }

    /// <summary>The maximum number of prefixes.</summary>
    public int MaxEntries { get; }

    /// <summary>The longest prefix a key can have: the data's size in bits.</summary>
    public static uint MaxPrefixLength => (uint)Unsafe.SizeOf<TData>() * 8;

    /// <summary>
    /// Longest-prefix lookup (<c>bpf_map_lookup_elem</c>): a reference to the value of the longest stored prefix
    /// that matches the first <c>key.PrefixLength</c> bits of <c>key.Data</c>, or a null reference.
    /// </summary>
    [MapIntrinsic(MapOperation.LookupRef, Helper = 1)]
    public ref TValue GetValueRefOrNullRef(LpmKey<TData> key)
    {
        TValue[]? value = Match(key);
        if (value is null) return ref Unsafe.NullRef<TValue>();
        return ref value[0];
    }

    /// <summary>Longest-prefix lookup, copying the value out if a prefix matches.</summary>
    [MapIntrinsic(MapOperation.TryGetValue, Helper = 1)]
    public bool TryGetValue(LpmKey<TData> key, out TValue value)
    {
        TValue[]? found = Match(key);
        value = found is null ? default : found[0];
        return found is not null;
    }

    /// <summary>
    /// Stores the prefix <paramref name="key"/> (<c>bpf_map_update_elem</c>; bits after the prefix do not
    /// matter). Returns 0, <c>-EINVAL</c> for a prefix longer than the data, <c>-ENOSPC</c> when the trie is full,
    /// or <c>-EEXIST</c>/<c>-ENOENT</c> for the flags.
    /// </summary>
    [MapIntrinsic(MapOperation.Update, Helper = 2)]
    public long Update(LpmKey<TData> key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (key.PrefixLength > MaxPrefixLength || (ulong)flags > (ulong)MapUpdateFlags.Exist) return -ClrErrno.EINVAL;
        lock (_gate)
        {
            int index = IndexOfExact(key);
            if (flags == MapUpdateFlags.NoExist && index >= 0) return -ClrErrno.EEXIST;
            if (flags == MapUpdateFlags.Exist && index < 0) return -ClrErrno.ENOENT;
            if (index >= 0)
            {
                _entries[index].Value[0] = value;
                return 0;
            }
            if (_entries.Count >= MaxEntries) return -ClrErrno.ENOSPC;
            _entries.Add(new Entry(key.PrefixLength, Bytes(key), [value]));
            return 0;
        }
    }

    /// <summary>Deletes exactly the prefix <paramref name="key"/> (<c>bpf_map_delete_elem</c>). Returns 0,
    /// <c>-ENOENT</c>, or <c>-EINVAL</c> for a prefix longer than the data.</summary>
    [MapIntrinsic(MapOperation.Delete, Helper = 3)]
    public long Delete(LpmKey<TData> key)
    {
        if (key.PrefixLength > MaxPrefixLength) return -ClrErrno.EINVAL;
        lock (_gate)
        {
            int index = IndexOfExact(key);
            if (index < 0) return -ClrErrno.ENOENT;
            _entries.RemoveAt(index);
            return 0;
        }
    }

    // The kernel's trie_lookup_elem: a stored prefix matches when its length is at most the key's and its
    // leading bits equal the key's data.
    private TValue[]? Match(LpmKey<TData> key)
    {
        if (key.PrefixLength > MaxPrefixLength) return null;
        byte[] data = Bytes(key);
        lock (_gate)
        {
            Entry? best = null;
            foreach (Entry e in _entries)
                if (e.PrefixLength <= key.PrefixLength && (best is null || e.PrefixLength > best.PrefixLength) && PrefixEquals(e.Data, data, e.PrefixLength))
                    best = e;
            return best?.Value;
        }
    }

    private int IndexOfExact(LpmKey<TData> key)
    {
        byte[] data = Bytes(key);
        return _entries.FindIndex(e => e.PrefixLength == key.PrefixLength && PrefixEquals(e.Data, data, key.PrefixLength));
    }

    private static byte[] Bytes(LpmKey<TData> key) => MemoryMarshal.AsBytes(new ReadOnlySpan<TData>(in key.Data)).ToArray();

    private static bool PrefixEquals(byte[] a, byte[] b, uint bits)
    {
        int whole = (int)(bits / 8);
        if (!a.AsSpan(0, whole).SequenceEqual(b.AsSpan(0, whole))) return false;
        int rest = (int)(bits % 8);
        if (rest == 0) return true;
        int mask = 0xFF00 >> rest & 0xFF; // the leading `rest` bits of the next byte
        return (a[whole] & mask) == (b[whole] & mask);
    }
}
