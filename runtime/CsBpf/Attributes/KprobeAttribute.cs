namespace CsBpf;

/// <summary>
/// A kprobe program (<c>BPF_PROG_TYPE_KPROBE</c>, section <c>kprobe/&lt;function&gt;</c>), run when the kernel
/// function is entered. The method's parameters are the function's first arguments, read from
/// <c>struct pt_regs</c> (x86-64: rdi, rsi, rdx, rcx, r8, r9) like libbpf's <c>BPF_KPROBE</c>:
/// <c>[Kprobe("do_sys_openat2")] static int M(int dfd, nuint filename)</c>. Integer or pointer-sized
/// parameters only; up to five.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Kprobe)]
public sealed class KprobeAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="function">The kernel function to probe, e.g. <c>do_sys_openat2</c>.</param>
    public KprobeAttribute(string function) => Function = function;

    /// <summary>The kernel function to probe, e.g. <c>do_sys_openat2</c>.</summary>
    public string Function { get; }
}
