using System.Collections.Immutable;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler;

/// <summary>
/// Compiles every <c>[BpfProgram]</c> class of a C# compilation to a BPF ELF object.
/// Pipeline: Frontend (discover programs/maps, walk each method's ControlFlowGraph) → Lowering (LLVM IR
/// and debug info) → Llvm (O2) → Object (BPF ELF with BTF).
/// </summary>
public static class BpfCompiler
{
    /// <summary>Compiles all BPF classes of <paramref name="compilation"/>. Never throws for bad input:
    /// problems come back as diagnostics. Errors in C# code outside BPF classes are ignored (the C#
    /// compiler reports them).</summary>
    public static BpfCompilationResult Compile(CSharpCompilation compilation, BpfCompilerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        ArgumentNullException.ThrowIfNull(options);
        var diagnostics = new List<Diagnostic>();
        var objects = ImmutableArray.CreateBuilder<BpfObjectOutput>();

        compilation = UsdtSupport.AddSupport(compilation, diagnostics);
        IReadOnlyList<BpfClassModel> classes = new ProgramDiscovery(compilation, diagnostics).Discover(cancellationToken);
        CompilerTimings.Mark("discovery");
        // The rule set runs whenever there is a [BpfProgram] class, valid or not (discovery reported the invalid ones).
        var (ruleDiagnostics, provenGuards) = classes.Count == 0 && diagnostics.Count == 0
            ? ([], ProvenGuards.None) : RuleSetRunner.RunWithProofs(compilation, cancellationToken, options.DisabledRules);
        CompilerTimings.Mark("rule set");
        // Declaration checks exist in the rule set (DeclarationAnalyzer) and in discovery: report each once.
        diagnostics.RemoveAll(d => ruleDiagnostics.Any(r => IsSameReport(r, d)));
        diagnostics.AddRange(ruleDiagnostics);
        foreach (BpfClassModel model in classes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReportSourceErrors(compilation, model, diagnostics, cancellationToken)) continue;
            if (CompilerTimings.Enabled) CompilerTimings.Mark("C# errors of " + model.FullName);
            if (HasErrorInside(model, ruleDiagnostics)) continue;
            try
            {
                using var lowering = new ModuleLowering(compilation, model, options, diagnostics, provenGuards);
                if (lowering.Lower(cancellationToken) is { } elf) objects.Add(new BpfObjectOutput(model.FullName, elf));
            }
            catch (LlvmNotFoundException e)
            {
                diagnostics.Add(Diagnostic.Create(BpfDiagnostics.LlvmNotFound, Location.None, e.Message));
                break;
            }
            catch (LlvmException e)
            {
                diagnostics.Add(Diagnostic.Create(BpfDiagnostics.BackendFailure, model.Class.Locations.FirstOrDefault() ?? Location.None, model.FullName, e.Message));
            }
        }

        ImmutableArray<Diagnostic> sorted = diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
        return new BpfCompilationResult(objects.ToImmutable(), sorted);
    }

    private static bool IsSameReport(Diagnostic a, Diagnostic b) =>
        a.Id == b.Id && a.Location == b.Location && a.GetMessage() == b.GetMessage();

    /// <summary>True when a rule reported an error inside the class (it is then not lowered: the rule is the
    /// better explanation than whatever lowering would say).</summary>
    private static bool HasErrorInside(BpfClassModel model, IReadOnlyList<Diagnostic> ruleDiagnostics) =>
        ruleDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && model.Class.DeclaringSyntaxReferences.Any(r =>
            r.SyntaxTree == d.Location.SourceTree && r.Span.Contains(d.Location.SourceSpan)));

    /// <summary>C# errors inside a BPF class stop its compilation (reported as CSBPF1007 wrapping the C#
    /// error); errors elsewhere are the C# compiler's business.</summary>
    private static bool ReportSourceErrors(CSharpCompilation compilation, BpfClassModel model, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        bool any = false;
        foreach (SyntaxReference reference in model.Class.DeclaringSyntaxReferences)
        {
            SemanticModel semanticModel = compilation.GetSemanticModel(reference.SyntaxTree);
            foreach (Diagnostic d in semanticModel.GetDiagnostics(reference.Span, cancellationToken))
            {
                if (d.Severity != DiagnosticSeverity.Error) continue;
                diagnostics.Add(Diagnostic.Create(BpfDiagnostics.SourceError, d.Location, $"{d.Id}: {d.GetMessage()}"));
                any = true;
            }
        }
        return any;
    }
}
