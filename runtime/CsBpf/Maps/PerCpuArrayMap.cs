using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// A per-CPU array map (<c>BPF_MAP_TYPE_PERCPU_ARRAY</c>, Linux 4.6) as seen from BPF code: <c>max_entries</c>
/// elements indexed by a <see cref="uint"/>, each holding one value per CPU, all present and zero-initialised. A
/// program sees and changes only its own CPU's value (per-CPU scratch space and counters without atomics); the
/// host reads every CPU's value (<c>BpfPerCpuArrayMap</c>). Declare it as a <c>[Map] static readonly</c> field.
/// </summary>
/// <typeparam name="T">An unmanaged value type (per CPU).</typeparam>
[BpfMapKind(BpfMapType.PerCpuArray)]
public sealed class PerCpuArrayMap<T> where T : unmanaged
{
    private readonly T[][] _values;

    /// <summary>Declares a per-CPU array map.</summary>
    /// <param name="maxEntries">The number of elements (<c>max_entries</c>).</param>
    public PerCpuArrayMap(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        _values = new T[maxEntries][];
        for (int i = 0; i < maxEntries; i++) _values[i] = new T[ClrCpu.Count];
    }

    /// <summary>The number of elements.</summary>
    public int MaxEntries => _values.Length;

    /// <summary>A reference to this CPU's value of element <paramref name="index"/> (<c>bpf_map_lookup_elem</c>),
    /// or a null reference when the index is out of range.</summary>
    [MapIntrinsic(MapOperation.LookupRef, Helper = 1)]
    public ref T GetValueRefOrNullRef(uint index)
    {
        if (index >= (uint)_values.Length) return ref Unsafe.NullRef<T>();
        return ref _values[index][ClrCpu.Current];
    }

    /// <summary>Copies this CPU's value of element <paramref name="index"/> out if the index is in range.</summary>
    [MapIntrinsic(MapOperation.TryGetValue, Helper = 1)]
    public bool TryGetValue(uint index, out T value)
    {
        if (index >= (uint)_values.Length) { value = default; return false; }
        value = _values[index][ClrCpu.Current];
        return true;
    }

    /// <summary>Overwrites this CPU's value of element <paramref name="index"/> (<c>bpf_map_update_elem</c>).
    /// Returns 0, <c>-E2BIG</c> for an index out of range, or <c>-EEXIST</c> for <see cref="MapUpdateFlags.NoExist"/>.</summary>
    [MapIntrinsic(MapOperation.Update, Helper = 2)]
    public long Update(uint index, T value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if ((ulong)flags > (ulong)MapUpdateFlags.Exist) return -ClrErrno.EINVAL;
        if (index >= (uint)_values.Length) return -ClrErrno.E2BIG;
        if (flags == MapUpdateFlags.NoExist) return -ClrErrno.EEXIST;
        _values[index][ClrCpu.Current] = value;
        return 0;
    }

    /// <summary>Every CPU's value of element <paramref name="index"/> (CLR only, what the host reads).</summary>
    public T[] GetAllCpuValues(uint index) => _values[index].ToArray();
}
