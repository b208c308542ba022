namespace CsBpf;

/// <summary>
/// An LSM program (<c>BPF_PROG_TYPE_LSM</c>, section <c>lsm/&lt;hook&gt;</c>) on a security hook; needs a kernel
/// booted with <c>bpf</c> in <c>lsm=</c>. Parameters are the hook's arguments (64-bit context slots); return
/// 0 to allow or a negative errno (e.g. -1 for EPERM) to deny.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Lsm)]
public sealed class LsmAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="hook">The LSM hook, e.g. <c>file_open</c>.</param>
    public LsmAttribute(string hook) => Hook = hook;

    /// <summary>The LSM hook, e.g. <c>file_open</c>.</summary>
    public string Hook { get; }
}
