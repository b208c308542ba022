namespace CsBpf;

/// <summary>
/// A USDT program (user statically defined tracepoint, <c>BPF_PROG_TYPE_KPROBE</c> on the probe's address,
/// section <c>usdt/&lt;binary&gt;:&lt;provider&gt;:&lt;name&gt;</c>): runs when a process reaches a
/// <c>DTRACE_PROBE</c>/<c>STAP_PROBE</c> site (<c>&lt;sys/sdt.h&gt;</c>; also what the CLR, PostgreSQL, Python and
/// others put in their binaries). The method takes the probe's arguments, each decoded from the location its
/// note describes (a register, memory at a register plus an offset, or a constant) and extended to 64 bits
/// with the argument's signedness: <c>[Usdt("/usr/bin/app", "app", "request")] static int M(long id, nuint path)</c>.
/// The compiler adds to the object the argument-spec maps libbpf fills at attach time
/// (<c>__bpf_usdt_specs</c>, <c>__bpf_usdt_ip_to_spec_id</c>, as <c>usdt.bpf.h</c> declares them). Needs Linux 5.15
/// (BPF cookies).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Kprobe)]
public sealed class UsdtAttribute : Attribute
{
    /// <summary>A USDT program attached only explicitly (<c>BpfProgramHandle.AttachUsdt</c>).</summary>
    public UsdtAttribute()
    {
    }

    /// <summary>A USDT program on probe <paramref name="provider"/>:<paramref name="name"/> of <paramref name="binaryPath"/>.</summary>
    /// <param name="binaryPath">The executable or shared library with the probe, absolute.</param>
    /// <param name="provider">The probe's provider, e.g. <c>libc</c>.</param>
    /// <param name="name">The probe's name, e.g. <c>setjmp</c>.</param>
    public UsdtAttribute(string binaryPath, string provider, string name)
    {
        BinaryPath = binaryPath;
        Provider = provider;
        Name = name;
    }

    /// <summary>The binary, or null for an explicitly attached program.</summary>
    public string? BinaryPath { get; }

    /// <summary>The provider, or null.</summary>
    public string? Provider { get; }

    /// <summary>The probe name, or null.</summary>
    public string? Name { get; }
}
