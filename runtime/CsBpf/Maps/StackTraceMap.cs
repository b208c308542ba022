namespace CsBpf;

/// <summary>
/// A stack trace map (<c>BPF_MAP_TYPE_STACK_TRACE</c>, Linux 4.6) as seen from BPF code:
/// <see cref="GetStackId{TContext}(TContext, StackTraceFlags, uint)"/> stores the current call stack and returns its id, which the program puts
/// in its own maps or events; the host reads the instruction pointers by id (<c>BpfStackTraceMap</c>).
/// Programs cannot read the map themselves. Declare it as
/// <c>[Map] static readonly StackTraceMap Stacks = new(maxEntries: 1024);</c>
/// </summary>
[BpfMapKind(BpfMapType.StackTrace)]
public sealed class StackTraceMap
{
    /// <summary><c>PERF_MAX_STACK_DEPTH</c>: the default (and usual maximum, <c>kernel.perf_event_max_stack</c>) frames per stack.</summary>
    public const int DefaultMaxDepth = 127;

    private readonly Dictionary<uint, ulong[]> _stacks = new();

    /// <summary>Declares a stack trace map.</summary>
    /// <param name="maxEntries">The number of stack ids (<c>max_entries</c>); the kernel rounds it up to a power of two.</param>
    /// <param name="maxDepth">Frames per stack (the value is <c>maxDepth</c> 64-bit addresses).</param>
    public StackTraceMap(int maxEntries, int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        MaxEntries = maxEntries;
        MaxDepth = maxDepth;
    }

    /// <summary>The number of stack ids.</summary>
    public int MaxEntries { get; }

    /// <summary>Frames per stack.</summary>
    public int MaxDepth { get; }

    /// <summary>
    /// Walks the current stack (kernel, or user with <see cref="StackTraceFlags.UserStack"/>), skipping the first
    /// <paramref name="skipFrames"/> frames, stores it and returns its id (<c>bpf_get_stackid</c>, helper 27), or a
    /// negative errno: <c>-EFAULT</c> when no stack could be walked, <c>-EEXIST</c> when another stack holds the
    /// id (see <see cref="StackTraceFlags.ReuseStackId"/>). On the CLR it records the managed call stack.
    /// </summary>
    [MapIntrinsic(MapOperation.GetStackId, Helper = 27, GplOnly = true, Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall)]
    public long GetStackId<TContext>(TContext ctx, StackTraceFlags flags = StackTraceFlags.None, uint skipFrames = 0)
        where TContext : IBpfContext => Record(flags, skipFrames + 1);

    private long Record(StackTraceFlags flags, uint skipFrames)
    {
        var trace = new System.Diagnostics.StackTrace((int)Math.Min(skipFrames, 255) + 1, fNeedFileInfo: false);
        ulong[] frames = new ulong[MaxDepth];
        int n = 0;
        foreach (System.Diagnostics.StackFrame frame in trace.GetFrames())
        {
            if (n == MaxDepth) break;
            nint method = frame.GetMethod()?.MethodHandle.Value ?? 0;
            frames[n++] = (ulong)method + (ulong)Math.Max(0, frame.GetNativeOffset());
        }
        if (n == 0) return -ClrErrno.EFAULT;
        ulong hash = 14695981039346656037;
        for (int i = 0; i < n; i++) hash = (hash ^ frames[i]) * 1099511628211;
        uint id = (uint)(hash % (ulong)MaxEntries);
        lock (_stacks)
        {
            if (_stacks.TryGetValue(id, out ulong[]? existing) && !existing.AsSpan().SequenceEqual(frames) && (flags & StackTraceFlags.ReuseStackId) == 0)
                return -ClrErrno.EEXIST;
            _stacks[id] = frames;
        }
        return id;
    }

    /// <summary><see cref="GetStackId{TContext}(TContext, StackTraceFlags, uint)"/> for programs whose context is
    /// a struct passed by reference: a syscall program's <c>ref args</c>, a tracepoint's <c>in record</c>.</summary>
    [MapIntrinsic(MapOperation.GetStackId, Helper = 27, GplOnly = true, Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall)]
    public long GetStackId<TContext>(ref readonly TContext ctx, StackTraceFlags flags = StackTraceFlags.None, uint skipFrames = 0)
        where TContext : unmanaged => Record(flags, skipFrames + 1);

    /// <summary>The addresses stored under <paramref name="id"/> (CLR only: what the host reads), zero-padded to <see cref="MaxDepth"/>.</summary>
    public bool TryGetFrames(uint id, out ulong[] frames)
    {
        lock (_stacks)
        {
            bool found = _stacks.TryGetValue(id, out ulong[]? stored);
            frames = stored?.ToArray() ?? [];
            return found;
        }
    }
}
