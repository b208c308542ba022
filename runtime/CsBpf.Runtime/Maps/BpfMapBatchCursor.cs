namespace CsBpf.Runtime;

/// <summary>
/// Where a batch walk of a map stands (<c>BPF_MAP_LOOKUP_BATCH</c>'s opaque <c>in_batch</c>/<c>out_batch</c>
/// token: a bucket index for hash maps, the last key for arrays). Start with <c>default</c>, pass it by
/// reference to each <c>LookupBatch</c> call, and stop when <see cref="IsComplete"/> is true.
/// </summary>
public struct BpfMapBatchCursor
{
    /// <summary>True once the kernel reported the end of the map; further batch calls return 0.</summary>
    public readonly bool IsComplete => _complete;

    internal readonly ulong Token => _token;

    internal readonly bool Started => _started;

    private ulong _token;
    private bool _started;
    private bool _complete;

    /// <summary>The cursor after one batch call.</summary>
    internal readonly BpfMapBatchCursor Advance(ulong token, bool complete) =>
        new() { _token = token, _started = true, _complete = complete };

    /// <inheritdoc />
    public override readonly string ToString() => _complete ? "BpfMapBatchCursor (complete)" : _started ? "BpfMapBatchCursor (in progress)" : "BpfMapBatchCursor (start)";
}
