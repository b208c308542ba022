namespace CsBpf;

/// <summary>
/// Binds a program-side stub method to a kernel BPF helper by its number (<c>enum bpf_func_id</c> in
/// <c>include/uapi/linux/bpf.h</c>). The compiler turns calls to the stub into <c>call &lt;id&gt;</c>;
/// the stub body is what the method does when the same code runs on the CLR.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BpfHelperAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="id">The helper number, e.g. 14 for <c>bpf_get_current_pid_tgid</c>.</param>
    public BpfHelperAttribute(int id) => Id = id;

    /// <summary>The helper number.</summary>
    public int Id { get; }

    /// <summary>
    /// The helper takes (buffer, size) pairs where the stub takes one <c>ref</c>/<c>out</c> struct: the
    /// compiler passes the struct's address followed by its size, e.g. <c>bpf_get_current_comm(buf, 16)</c>.
    /// </summary>
    public bool AppendSizeOfRefArguments { get; set; }

    /// <summary>
    /// The helper takes (format, format size, args...) like <c>bpf_trace_printk</c>: the stub's single
    /// <see cref="string"/> parameter must be a constant or an interpolated string, which the compiler splits
    /// at compile time into a printf format in <c>.rodata</c> and the interpolated values.
    /// </summary>
    public bool FormatString { get; set; }

    /// <summary>
    /// The program types the kernel offers this helper to (its <c>get_func_proto</c> per program type); calling
    /// it from another program type is a compile-time error instead of a load-time verifier rejection.
    /// </summary>
    public BpfProgramTypes Programs { get; set; } = BpfProgramTypes.All;

    /// <summary>The helper is GPL-only (<c>gpl_only = true</c> in its <c>bpf_func_proto</c>): the program's
    /// license must be GPL-compatible.</summary>
    public bool GplOnly { get; set; }
}
