using CsBpf.Analyzers.Rules.Flow;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Frontend;

/// <summary>The guard sites (a division and its rule) the rule set's flow analysis proved safe for one
/// compilation (<see cref="GuardProofs"/>): the third opinion ModuleLowering.Guards asks before reporting a
/// guard LLVM could not remove.</summary>
internal sealed class ProvenGuards(IEnumerable<(SyntaxTree Tree, int Start, int Length, string Rule)> sites)
{
    private readonly HashSet<(SyntaxTree, int, int, string)> _sites = [.. sites];

    public static ProvenGuards None { get; } = new([]);

    /// <summary>True when the analysis proved that <paramref name="rule"/> cannot fail at <paramref name="at"/>.</summary>
    public bool Proves(Location at, DiagnosticDescriptor rule) =>
        at.SourceTree is { } tree && _sites.Contains((tree, at.SourceSpan.Start, at.SourceSpan.Length, rule.Id));
}
