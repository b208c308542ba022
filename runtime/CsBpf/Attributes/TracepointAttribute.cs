namespace CsBpf;

/// <summary>
/// A tracepoint program (<c>BPF_PROG_TYPE_TRACEPOINT</c>), placed in section
/// <c>tracepoint/&lt;category&gt;/&lt;name&gt;</c> so libbpf can attach it to
/// <c>/sys/kernel/tracing/events/&lt;category&gt;/&lt;name&gt;</c>.
/// The method must be <c>static int M(TracepointContext ctx)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Tracepoint)]
public sealed class TracepointAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="category">The tracepoint category (subsystem), e.g. <c>syscalls</c>.</param>
    /// <param name="name">The tracepoint name, e.g. <c>sys_enter_openat</c>.</param>
    public TracepointAttribute(string category, string name)
    {
        Category = category;
        Name = name;
    }

    /// <summary>The tracepoint category, e.g. <c>syscalls</c>.</summary>
    public string Category { get; }

    /// <summary>The tracepoint name, e.g. <c>sys_enter_openat</c>.</summary>
    public string Name { get; }
}
