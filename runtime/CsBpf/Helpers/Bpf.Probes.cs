namespace CsBpf;

// Helpers about the probe itself: its stack, address, attach cookie and perf counters, and kprobe return
// overriding. Each takes the program's context (ctx).
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_get_stack</c> (helper 67, Linux 4.18): copies the kernel stack (or, with
    /// <see cref="GetStackFlags.UserStack"/>, the user-space stack) of the probed code into
    /// <paramref name="frames"/>, innermost frame first, one return address per element. Returns the number of
    /// <b>bytes</b> copied (frames × 8), or a negative errno. On the CLR: the native addresses of this thread's
    /// managed frames for a user stack, none for a kernel stack.
    /// </summary>
    [BpfHelper(67, GplOnly = true, Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall)]
    public static long GetStack<TContext>(TContext ctx, Span<ulong> frames, GetStackFlags flags) where TContext : IBpfContext
    {
        if ((flags & GetStackFlags.UserStack) == 0) return 0;
        var trace = new System.Diagnostics.StackTrace(1, false);
        int skip = (int)(flags & GetStackFlags.SkipMask), n = 0;
        for (int i = skip; i < trace.FrameCount && n < frames.Length; i++)
            if (trace.GetFrame(i) is { } frame && System.Diagnostics.StackFrameExtensions.HasNativeImage(frame))
                frames[n++] = (ulong)System.Diagnostics.StackFrameExtensions.GetNativeIP(frame);
        return n * sizeof(ulong);
    }

    /// <summary>
    /// <c>bpf_get_task_stack</c> (helper 141, Linux 5.9): the kernel stack of task <paramref name="task"/> (a
    /// BTF task pointer, e.g. <see cref="GetCurrentTaskBtf"/>) into <paramref name="frames"/>, innermost first.
    /// Returns the number of bytes copied, or a negative errno. On the CLR: 0 (no kernel stack to see).
    /// </summary>
    [BpfHelper(141)]
    public static long GetTaskStack(nuint task, Span<ulong> frames, GetStackFlags flags) => 0;

    /// <summary>
    /// <c>bpf_get_func_ip</c> (helper 173, Linux 5.15): the address of the probed function (kprobes: the
    /// function's entry even for a return probe; fentry/fexit: the traced function). The kernel offers it to
    /// every tracing program type, but it is meaningful in kprobes, uprobes and fentry/fexit only. On the CLR: 0.
    /// </summary>
    [BpfHelper(173, GplOnly = true, Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall)]
    public static ulong GetFuncIp<TContext>(TContext ctx) where TContext : IBpfContext => 0;

    /// <summary>
    /// <c>bpf_get_attach_cookie</c> (helper 174, Linux 5.15): the 64-bit cookie given when this attachment was
    /// made (<c>BpfProgramHandle.AttachUprobe(..., cookie: n)</c> and the other attach methods), so one program
    /// attached to many targets can tell them apart. 0 when none was given. On the CLR: 0.
    /// </summary>
    [BpfHelper(174, Programs = BpfProgramTypes.Kprobe | BpfProgramTypes.Tracepoint | BpfProgramTypes.PerfEvent | BpfProgramTypes.RawTracepoint
        | BpfProgramTypes.RawTracepointWritable | BpfProgramTypes.Tracing | BpfProgramTypes.Lsm)]
    public static ulong GetAttachCookie<TContext>(TContext ctx) where TContext : IBpfContext => 0;

    /// <summary>
    /// <c>bpf_override_return</c> (helper 58, Linux 4.16): makes the probed kernel function return
    /// <paramref name="returnValue"/> without running (error injection). Only in kprobes on functions marked
    /// <c>ALLOW_ERROR_INJECTION</c>, on kernels built with <c>CONFIG_BPF_KPROBE_OVERRIDE</c>. On the CLR it has no
    /// effect: -EOPNOTSUPP.
    /// </summary>
    [BpfHelper(58, GplOnly = true, Programs = BpfProgramTypes.Kprobe)]
    public static long OverrideReturn(PtRegs ctx, ulong returnValue) => -95;

    /// <summary>
    /// <c>bpf_perf_prog_read_value</c> (helper 56, Linux 4.15): reads the counter of the perf event that ran the
    /// program, with its enabled and running times (to scale multiplexed counters). Returns 0 or a negative
    /// errno with <paramref name="value"/> zeroed. On the CLR: -EINVAL.
    /// </summary>
    [BpfHelper(56, AppendSizeOfRefArguments = true, GplOnly = true, Programs = BpfProgramTypes.PerfEvent)]
    public static long PerfProgReadValue(PerfEventContext ctx, out PerfEventValue value)
    {
        value = default;
        return -22;
    }
}
