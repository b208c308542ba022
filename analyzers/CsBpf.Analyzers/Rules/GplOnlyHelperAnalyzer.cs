using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// CSBPF0041: a program of a <c>[BpfProgram]</c> class whose License is not GPL-compatible calls (directly or
    /// through BPF-to-BPF calls) a GPL-only helper; the verifier refuses it with "cannot call GPL-restricted
    /// function from non-GPL compatible program". GPL-compatible means one of the kernel's strings
    /// (include/linux/license.h, <c>license_is_gpl_compatible</c>), compared exactly.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GplOnlyHelperAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>The licenses the kernel treats as GPL-compatible.</summary>
        public static readonly ImmutableArray<string> GplCompatibleLicenses =
            ImmutableArray.Create("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(BpfDiagnostics.GplOnlyHelper);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                BpfCallGraph? graph = BpfCallGraph.Register(start);
                if (graph is null) return;
                start.RegisterCompilationEndAction(end => Report(end, graph));
            });
        }

        private static void Report(CompilationAnalysisContext context, BpfCallGraph graph)
        {
            var reported = new HashSet<Location>();
            foreach (ProgramEntry program in graph.Programs)
            {
                INamedTypeSymbol owner = program.Method.ContainingType;
                // No license at all is CSBPF1004's to report.
                if (!(graph.Symbols.License(owner) is string license) || license.Length == 0 || GplCompatibleLicenses.Contains(license)) continue;
                foreach (HelperCall call in graph.HelperCallsOf(program.Method))
                {
                    if (!call.Helper.GplOnly) continue;
                    bool sameClass = SymbolEqualityComparer.Default.Equals(call.Caller.ContainingType, owner);
                    Location at = sameClass ? call.Location : program.Method.Locations[0];
                    if (!reported.Add(at)) continue;
                    context.ReportDiagnostic(Diagnostic.Create(BpfDiagnostics.GplOnlyHelper, at,
                        call.Name, call.Helper.Id, owner.Name, license, program.Method.Name, call.Through));
                }
            }
        }
    }
}
