namespace CsBpf.Runtime;

/// <summary>
/// A typed view of a per-CPU array (<c>BPF_MAP_TYPE_PERCPU_ARRAY</c>): each of the <see cref="Length"/> indexes
/// holds one <typeparamref name="T"/> per possible CPU (<see cref="CpuCount"/>, offline CPUs included, as the
/// kernel copies them all). The host sees every CPU's value; BPF programs see only their own CPU's. Get one from
/// <see cref="BpfObject.GetPerCpuArrayMap{T}"/> or <see cref="BpfMap.AsPerCpuArrayMap{T}"/>.
/// </summary>
/// <typeparam name="T">The value type, exactly the map's value_size bytes.</typeparam>
public sealed class BpfPerCpuArrayMap<T> : IDisposable
    where T : unmanaged
{
    internal BpfPerCpuArrayMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The number of indexes (max_entries).</summary>
    public int Length => checked((int)Map.MaxEntries);

    /// <summary>Values per index: the number of possible CPUs (<see cref="BpfMap.PossibleCpuCount"/>).</summary>
    public int CpuCount => BpfMap.PossibleCpuCount;

    /// <summary>Reads (a new array of <see cref="CpuCount"/> values) or writes (exactly <see cref="CpuCount"/> values) index <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Length"/>.</exception>
    /// <exception cref="ArgumentException">Setting an array whose length is not <see cref="CpuCount"/>.</exception>
    public T[] this[uint index]
    {
        get
        {
            var values = new T[CpuCount];
            Read(index, values);
            return values;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Write(index, value);
        }
    }

    /// <summary>Reads every CPU's value at <paramref name="index"/> into <paramref name="values"/> (no allocation when <c>sizeof(T)</c> is a multiple of 8).</summary>
    /// <param name="index">The index.</param>
    /// <param name="values">Exactly <see cref="CpuCount"/> elements; <c>values[cpu]</c> receives that CPU's value.</param>
    public unsafe void Read(uint index, Span<T> values)
    {
        CheckIndex(index);
        if (!PerCpuValues.Lookup(Map, &index, values))
            throw new BpfException($"Per-CPU array '{Name}' reported no element {index} (ENOENT), which an array should never do.", 2);
    }

    /// <summary>Writes every CPU's value at <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    /// <param name="values">Exactly <see cref="CpuCount"/> elements.</param>
    public unsafe void Write(uint index, ReadOnlySpan<T> values)
    {
        CheckIndex(index);
        PerCpuValues.Update(Map, &index, values, MapUpdateFlags.Any);
    }

    /// <summary>Closes a map opened from a pin; does nothing for a map of a <see cref="BpfObject"/> (the object owns it).</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfPerCpuArrayMap<{typeof(T).Name}> '{Name}' [{Length}] x {CpuCount} CPUs";

    private void CheckIndex(uint index)
    {
        if (index >= Map.MaxEntries)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Per-CPU array '{Name}' has {Map.MaxEntries} elements (indexes 0 to {Map.MaxEntries - 1}).");
    }
}
