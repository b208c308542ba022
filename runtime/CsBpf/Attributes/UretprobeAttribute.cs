namespace CsBpf;

/// <summary>
/// A uretprobe program (section <c>uretprobe/&lt;binary&gt;:&lt;function&gt;</c>), run when the user-space function
/// returns. The method takes no parameter, the return value (<c>static int M(long ret)</c>, rax), or the
/// registers (<c>static int M(PtRegs ctx)</c> with <see cref="PtRegs.ReturnValue"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Kprobe)]
public sealed class UretprobeAttribute : Attribute
{
    /// <summary>A uretprobe attached only explicitly (<c>BpfProgramHandle.AttachUprobe</c>).</summary>
    public UretprobeAttribute()
    {
    }

    /// <summary>A uretprobe on <paramref name="function"/> of <paramref name="binaryPath"/>.</summary>
    /// <param name="binaryPath">The executable or shared library, absolute.</param>
    /// <param name="function">The function's symbol.</param>
    public UretprobeAttribute(string binaryPath, string function)
    {
        BinaryPath = binaryPath;
        Function = function;
    }

    /// <summary>The executable or shared library, or null for an explicitly attached uretprobe.</summary>
    public string? BinaryPath { get; }

    /// <summary>The function's symbol, or null for an explicitly attached uretprobe.</summary>
    public string? Function { get; }
}
