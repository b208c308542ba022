namespace CsBpf;

/// <summary>
/// Marks a <c>static partial class</c> whose methods and fields are compiled to one BPF ELF object.
/// The build compiles the class with <c>csbpfc</c>, embeds the object in the assembly and generates a
/// typed loader (<c>Load()</c>, a property per map and program) into the same partial class.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfProgramAttribute : Attribute
{
    /// <summary>
    /// The license written to the object's <c>license</c> section. The kernel only lets GPL-compatible
    /// programs call GPL-only helpers (e.g. <c>bpf_probe_read_kernel</c>, <c>bpf_trace_printk</c>).
    /// Required: the compiler reports a diagnostic when it is missing.
    /// </summary>
    public string? License { get; set; }
}
