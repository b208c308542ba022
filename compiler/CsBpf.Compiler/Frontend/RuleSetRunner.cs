using System.Collections.Immutable;
using System.Reflection;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Analyzers.Rules.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Compiler.Frontend;

/// <summary>
/// Runs the analyzers of the shared rule set (every <see cref="DiagnosticAnalyzer"/> of the CsBpf.Analyzers
/// assembly, the same ones the IDE and <c>dotnet build</c> run) over the compilation before lowering, so one
/// rule is one ID everywhere and "analyzer-clean" means "the compiler accepts it". A class with an analyzer
/// error is not lowered.
/// </summary>
internal static class RuleSetRunner
{
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> s_analyzers = new(() =>
        typeof(BpfDiagnostics).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)
                        && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is { } a && a.Languages.Contains(LanguageNames.CSharp))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray());

    /// <summary>The analyzers of the rule set.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers => s_analyzers.Value;

    /// <summary>Runs every rule; returns their diagnostics (an analyzer that throws is reported as an internal error).</summary>
    public static IReadOnlyList<Diagnostic> Run(CSharpCompilation compilation, CancellationToken cancellationToken, IReadOnlySet<string>? disabledRules = null) =>
        RunWithProofs(compilation, cancellationToken, disabledRules).Diagnostics;

    /// <summary>Runs every rule; returns their diagnostics and the guard sites the flow analysis proved
    /// (<see cref="GuardProofs"/>, for ModuleLowering.Guards).</summary>
    public static (IReadOnlyList<Diagnostic> Diagnostics, ProvenGuards Proofs) RunWithProofs(CSharpCompilation compilation, CancellationToken cancellationToken, IReadOnlySet<string>? disabledRules = null)
    {
        if (Analyzers.IsEmpty) return ([], ProvenGuards.None);
        if (disabledRules is { Count: > 0 })
            compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
                compilation.Options.SpecificDiagnosticOptions.SetItems(disabledRules.Select(id => KeyValuePair.Create(id, ReportDiagnostic.Suppress)))));
        var failures = new List<Diagnostic>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (e, analyzer, _) =>
            {
                lock (failures)
                    failures.Add(Diagnostic.Create(BpfDiagnostics.BackendFailure, Location.None, analyzer.GetType().Name, "internal error in the analyzer: " + e));
            },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        GuardProofs.Forget(compilation);
        ImmutableArray<Diagnostic> found = compilation.WithAnalyzers(Analyzers, options)
            .GetAnalyzerDiagnosticsAsync(cancellationToken).GetAwaiter().GetResult();
        return ([.. found, .. failures], new ProvenGuards(GuardProofs.Proven(compilation)));
    }
}
