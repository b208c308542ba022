using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Raw tracepoints (bpf_program__attach_raw_tracepoint: BPF_RAW_TRACEPOINT_OPEN).
public sealed partial class BpfProgramHandle
{
    /// <summary>BPF_PROG_TYPE_RAW_TRACEPOINT.</summary>
    internal const int RawTracepointProgramType = 17;

    /// <summary>
    /// Attaches this raw tracepoint program to the tracepoint <paramref name="name"/> (e.g. <c>sched_switch</c>,
    /// <c>sys_enter</c>: the name without its category), whatever its attribute names.
    /// </summary>
    /// <param name="name">The tracepoint, as listed (with its category) under <c>/sys/kernel/tracing/events</c>.</param>
    /// <exception cref="BpfAttachTargetNotFoundException">There is no such tracepoint.</exception>
    /// <exception cref="BpfAttachException">The program is not a raw tracepoint program, or it reads more arguments than the tracepoint has (EINVAL).</exception>
    public BpfLink AttachRawTracepoint(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        RequireProgramType(RawTracepointProgramType, "a raw tracepoint", "[RawTracepoint]");
        return _owner.Attach(this, $"raw_tracepoint {name}", (prog, _) => LibBpf.bpf_program__attach_raw_tracepoint(prog, name), 0);
    }
}
