namespace CsBpf;

/// <summary>
/// A kretprobe program (section <c>kretprobe/&lt;function&gt;</c>), run when the kernel function returns.
/// The method takes no parameter or one: the return value (rax), like libbpf's <c>BPF_KRETPROBE</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Kprobe)]
public sealed class KretprobeAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="function">The kernel function to probe, e.g. <c>do_sys_openat2</c>.</param>
    public KretprobeAttribute(string function) => Function = function;

    /// <summary>The kernel function to probe, e.g. <c>do_sys_openat2</c>.</summary>
    public string Function { get; }
}
