namespace CsBpf.Runtime;

/// <summary>
/// A view of a program array (<c>BPF_MAP_TYPE_PROG_ARRAY</c>): the tail-call targets of <c>ProgramArray.TailCall</c>,
/// set by index to loaded programs of the same type. Get one from <see cref="BpfObject.GetProgramArray"/> or
/// <see cref="BpfMap.AsProgramArray"/>. The kernel keeps a reference to each program while it is in a slot; when the
/// owning object is disposed the array is released with it.
/// </summary>
public sealed class BpfProgramArray : IDisposable
{
    internal BpfProgramArray(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The number of slots.</summary>
    public int Length => checked((int)Map.MaxEntries);

    /// <summary>Puts <paramref name="program"/> in slot <paramref name="index"/> (<c>bpf_map_update_elem</c> with its fd).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Length"/>.</exception>
    /// <exception cref="BpfException">The kernel refused the program (EINVAL: a different program type, or a program that
    /// cannot be tail-called from this array's owner).</exception>
    public unsafe void Set(uint index, BpfProgramHandle program)
    {
        ArgumentNullException.ThrowIfNull(program);
        CheckIndex(index);
        int fd = program.Fd;
        Map.UpdateCore(&index, &fd, MapUpdateFlags.Any);
    }

    /// <summary>Puts the program named <paramref name="programName"/> of the same object in slot <paramref name="index"/>.</summary>
    /// <exception cref="KeyNotFoundException">The object has no such program.</exception>
    public void Set(uint index, string programName)
    {
        var owner = Map.Object ?? throw new InvalidOperationException($"Program array '{Name}' does not belong to an object: pass a BpfProgramHandle.");
        Set(index, owner.GetProgram(programName));
    }

    /// <summary>Empties slot <paramref name="index"/>: tail calls to it fail (fall through).</summary>
    /// <returns>False when the slot was already empty.</returns>
    public unsafe bool Clear(uint index)
    {
        CheckIndex(index);
        return Map.DeleteCore(&index);
    }

    /// <summary>The kernel id of the program in slot <paramref name="index"/> (what a lookup returns).</summary>
    /// <returns>False when the slot is empty.</returns>
    public unsafe bool TryGetProgramId(uint index, out uint programId)
    {
        CheckIndex(index);
        programId = 0;
        fixed (uint* id = &programId)
            return Map.LookupCore(&index, id);
    }

    /// <summary>Does nothing for a map of a <see cref="BpfObject"/>; closes a map opened from a pin.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfProgramArray '{Name}' ({Length} slots)";

    private void CheckIndex(uint index)
    {
        if (index >= (uint)Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Program array '{Name}' has {Length} slots.");
    }
}
