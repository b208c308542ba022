namespace CsBpf;

/// <summary>
/// An fentry program (<c>BPF_PROG_TYPE_TRACING</c>, section <c>fentry/&lt;function&gt;</c>), a BPF trampoline
/// on the function's entry. The method's parameters are the function's arguments (one 64-bit context slot
/// each, like libbpf's <c>BPF_PROG</c>); the kernel checks them against the function's BTF.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Tracing)]
public sealed class FentryAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="function">The kernel function to trace, e.g. <c>do_sys_openat2</c>.</param>
    public FentryAttribute(string function) => Function = function;

    /// <summary>The kernel function to trace, e.g. <c>do_sys_openat2</c>.</summary>
    public string Function { get; }
}
