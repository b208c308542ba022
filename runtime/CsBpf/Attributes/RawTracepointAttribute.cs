namespace CsBpf;

/// <summary>
/// A raw tracepoint program (<c>BPF_PROG_TYPE_RAW_TRACEPOINT</c>, section <c>raw_tracepoint/&lt;name&gt;</c>):
/// runs on the tracepoint with its raw arguments (the <c>TP_PROTO</c> of the tracepoint, e.g.
/// <c>sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)</c>)
/// instead of the formatted record, which is cheaper than a <see cref="TracepointAttribute"/> program.
/// The method takes the context (<c>static int M(RawTracepointContext ctx)</c>, <c>ctx.Arg0</c> …) or the
/// arguments themselves (<c>static int M(bool preempt, nuint prev, nuint next)</c>, one 64-bit slot each).
/// Requires Linux 4.17.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.RawTracepoint)]
public sealed class RawTracepointAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The tracepoint's name without its category, e.g. <c>sched_switch</c> or <c>sys_enter</c>.</param>
    public RawTracepointAttribute(string name) => Name = name;

    /// <summary>The tracepoint's name, e.g. <c>sched_switch</c>.</summary>
    public string Name { get; }
}
