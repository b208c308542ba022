namespace CsBpf;

/// <summary>
/// An fexit program (section <c>fexit/&lt;function&gt;</c>), run when the function returns: its parameters
/// are the function's arguments followed by the return value.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Tracing)]
public sealed class FexitAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="function">The kernel function to trace, e.g. <c>do_sys_openat2</c>.</param>
    public FexitAttribute(string function) => Function = function;

    /// <summary>The kernel function to trace, e.g. <c>do_sys_openat2</c>.</summary>
    public string Function { get; }
}
