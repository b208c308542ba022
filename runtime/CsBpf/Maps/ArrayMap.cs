using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// A BPF array map (<c>BPF_MAP_TYPE_ARRAY</c>) as seen from BPF code: <c>max_entries</c> values indexed by
/// a <see cref="uint"/>, all present and zero-initialised. Declare it as a <c>[Map] static readonly</c> field.
/// </summary>
/// <typeparam name="T">An unmanaged value type.</typeparam>
[BpfMapKind(BpfMapType.Array)]
[BpfHostView("CsBpf.Runtime.BpfArrayMap`1", "GetArrayMap")]
public sealed class ArrayMap<T> where T : unmanaged
{
    private readonly T[] _values;

    /// <summary>Declares an array map.</summary>
    /// <param name="maxEntries">The number of elements (<c>max_entries</c>).</param>
    public ArrayMap(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        _values = new T[maxEntries];
    }

    /// <summary>The number of elements.</summary>
    public int MaxEntries => _values.Length;

    /// <summary>
    /// Returns a reference to element <paramref name="index"/> (<c>bpf_map_lookup_elem</c>), or a null
    /// reference when the index is out of range.
    /// </summary>
    [MapIntrinsic(MapOperation.LookupRef, Helper = 1)]
    public ref T GetValueRefOrNullRef(uint index)
    {
        if (index >= (uint)_values.Length) return ref Unsafe.NullRef<T>();
        return ref _values[index];
    }

    /// <summary>Copies element <paramref name="index"/> out if the index is in range.</summary>
    [MapIntrinsic(MapOperation.TryGetValue, Helper = 1)]
    public bool TryGetValue(uint index, out T value)
    {
        if (index >= (uint)_values.Length) { value = default; return false; }
        value = _values[index];
        return true;
    }

    /// <summary>Overwrites element <paramref name="index"/> (<c>bpf_map_update_elem</c>). Returns 0, or
    /// <c>-E2BIG</c> for an index out of range, <c>-EEXIST</c> for <see cref="MapUpdateFlags.NoExist"/>
    /// (array elements always exist), or <c>-EINVAL</c> for unknown flags.</summary>
    [MapIntrinsic(MapOperation.Update, Helper = 2)]
    public long Update(uint index, T value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if ((ulong)flags > (ulong)MapUpdateFlags.Exist) return -ClrErrno.EINVAL;
        if (index >= (uint)_values.Length) return -7; // E2BIG
        if (flags == MapUpdateFlags.NoExist) return -17; // EEXIST
        _values[index] = value;
        return 0;
    }
}
