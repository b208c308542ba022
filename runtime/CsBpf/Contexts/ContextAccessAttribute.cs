namespace CsBpf;

/// <summary>
/// Which program types the kernel lets read and write a context member (its <c>is_valid_access</c> callback per
/// program type, net/core/filter.c). The analyzers report a program that reaches a member its type may not use
/// (CSBPF0050 for reads, CSBPF0051 for writes) instead of leaving it to the verifier's "invalid bpf_context access".
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Method, Inherited = false)]
public sealed class ContextAccessAttribute : Attribute
{
    /// <summary>The program types that may read the member (or call the method). Default: every type.</summary>
    public BpfProgramTypes Read { get; set; } = BpfProgramTypes.All;

    /// <summary>The program types that may write the member. Default: none.</summary>
    public BpfProgramTypes Write { get; set; } = BpfProgramTypes.None;
}
