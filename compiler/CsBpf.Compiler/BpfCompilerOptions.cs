namespace CsBpf.Compiler;

/// <summary>Options of one compilation.</summary>
public sealed record BpfCompilerOptions
{
    /// <summary>The BPF CPU version passed to LLVM's <c>-mcpu</c>: <c>v1</c> … <c>v4</c>. Default <c>v3</c>
    /// (32-bit jumps and ALU32, supported since Linux 5.1).</summary>
    public string Cpu { get; init; } = "v3";

    /// <summary>Run LLVM's O2 pipeline (default). Off only for debugging the compiler.</summary>
    public bool Optimize { get; init; } = true;

    /// <summary>
    /// Test-only: rule IDs whose analyzer reports (the shared rule set, CsBpf.Analyzers/Rules) are ignored; the
    /// compiler's own checks still run. Shows that no rule is decorative: a program a rule flags must then be
    /// refused by the compiler itself or by the kernel verifier.
    /// </summary>
    internal IReadOnlySet<string> DisabledRules { get; init; } = new HashSet<string>();
}
