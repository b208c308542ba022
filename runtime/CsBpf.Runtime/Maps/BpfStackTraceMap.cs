using System.Collections;

namespace CsBpf.Runtime;

/// <summary>
/// A view of a stack trace map (<c>BPF_MAP_TYPE_STACK_TRACE</c>): the call stacks BPF code recorded with
/// <c>StackTraceMap.GetStackId</c>, as instruction pointers by stack id (kernel addresses resolve with
/// <c>/proc/kallsyms</c>, user ones with the process's maps and symbols). Stacks can only be read and deleted
/// from the host. Get one from <see cref="BpfObject.GetStackTraceMap"/> or <see cref="BpfMap.AsStackTraceMap"/>.
/// </summary>
public sealed class BpfStackTraceMap : IEnumerable<KeyValuePair<uint, ulong[]>>, IDisposable
{
    internal BpfStackTraceMap(BpfMap map) => Map = map;

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>Frames per stack: the value size in 64-bit addresses.</summary>
    public int MaxDepth => checked((int)Map.ValueSize / 8);

    /// <summary>Reads the frames of stack <paramref name="stackId"/> into <paramref name="frames"/> (at least <see cref="MaxDepth"/>
    /// long), innermost first; unused frames are 0.</summary>
    /// <returns>False when no stack has this id.</returns>
    public unsafe bool TryGetFrames(uint stackId, Span<ulong> frames)
    {
        if (frames.Length < MaxDepth)
            throw new ArgumentException($"Stack trace map '{Name}' holds {MaxDepth} frames per stack but the span has {frames.Length}.", nameof(frames));
        fixed (ulong* f = frames)
            return Map.LookupCore(&stackId, f);
    }

    /// <summary>The frames of stack <paramref name="stackId"/>, innermost first, up to the first empty frame.</summary>
    /// <exception cref="KeyNotFoundException">No stack has this id.</exception>
    public ulong[] GetFrames(uint stackId)
    {
        var frames = new ulong[MaxDepth];
        if (!TryGetFrames(stackId, frames)) throw new KeyNotFoundException($"Stack trace map '{Name}' has no stack {stackId}.");
        int used = frames.AsSpan().IndexOf(0UL);
        return used < 0 ? frames : frames[..used];
    }

    /// <summary>Deletes stack <paramref name="stackId"/> (its id can then be reused).</summary>
    /// <returns>False when no stack had this id.</returns>
    public unsafe bool Delete(uint stackId) => Map.DeleteCore(&stackId);

    /// <summary>The ids of the stored stacks (a live walk).</summary>
    public IEnumerable<uint> StackIds
    {
        get
        {
            Map.ThrowIfNotLoaded("enumerate");
            return Map.EnumerateKeys<uint>();
        }
    }

    /// <summary>Each stored stack with its frames (trimmed like <see cref="GetFrames"/>).</summary>
    public IEnumerator<KeyValuePair<uint, ulong[]>> GetEnumerator()
    {
        var frames = new ulong[MaxDepth];
        foreach (var id in StackIds)
        {
            if (!TryGetFrames(id, frames)) continue;
            int used = frames.AsSpan().IndexOf(0UL);
            yield return new KeyValuePair<uint, ulong[]>(id, used < 0 ? (ulong[])frames.Clone() : frames[..used]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes a map opened from a pin; does nothing for a map of a <see cref="BpfObject"/>.</summary>
    public void Dispose() => Map.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"BpfStackTraceMap '{Name}' ({MaxDepth} frames)";
}
