namespace CsBpf;

/// <summary>
/// A uprobe program (<c>BPF_PROG_TYPE_KPROBE</c> on a user-space function, section
/// <c>uprobe/&lt;binary&gt;:&lt;function&gt;[+offset]</c>), run when any process (or the one given at attach time)
/// enters the function. The method takes either the function's first arguments, read from <c>struct pt_regs</c>
/// like <see cref="KprobeAttribute"/> (<c>static int M(int fd, nuint buf)</c>), or the registers themselves
/// (<c>static int M(PtRegs ctx)</c>), which helpers that need the context accept.
/// <para>With a binary and a function, <c>AttachAll</c> attaches it to every process (libbpf's auto-attach);
/// <c>BpfProgramHandle.AttachUprobe</c> attaches it to one process or another target. Without arguments
/// (<c>[Uprobe]</c>, section <c>uprobe</c>) it is attached only explicitly.</para>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Kprobe)]
public sealed class UprobeAttribute : Attribute
{
    /// <summary>A uprobe attached only explicitly (<c>BpfProgramHandle.AttachUprobe</c>).</summary>
    public UprobeAttribute()
    {
    }

    /// <summary>A uprobe on <paramref name="function"/> of <paramref name="binaryPath"/>.</summary>
    /// <param name="binaryPath">The executable or shared library, absolute (e.g. <c>/usr/lib/x86_64-linux-gnu/libc.so.6</c>).</param>
    /// <param name="function">The function's symbol, e.g. <c>malloc</c>.</param>
    public UprobeAttribute(string binaryPath, string function)
    {
        BinaryPath = binaryPath;
        Function = function;
    }

    /// <summary>The executable or shared library, or null for an explicitly attached uprobe.</summary>
    public string? BinaryPath { get; }

    /// <summary>The function's symbol, or null for an explicitly attached uprobe.</summary>
    public string? Function { get; }

    /// <summary>A byte offset into the function (0: its entry).</summary>
    public ulong Offset { get; set; }
}
