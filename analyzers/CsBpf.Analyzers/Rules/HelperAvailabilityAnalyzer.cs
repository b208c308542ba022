using System.Collections.Generic;
using System.Collections.Immutable;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// CSBPF0040: a program calls (directly or through BPF-to-BPF calls) a helper its program type does not
    /// offer: <c>[BpfHelper(Programs = ...)]</c> lacks the program's type (the kernel's <c>get_func_proto</c> for
    /// that type returns NULL, so the verifier refuses the load with "program of this type cannot use helper").
    /// Reported at the helper call when it is in the program's class, otherwise at the program method.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HelperAvailabilityAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(BpfDiagnostics.HelperNotAvailable);

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
            var reported = new HashSet<(Location, ulong)>();
            foreach (ProgramEntry program in graph.Programs)
            {
                foreach (HelperCall call in graph.HelperCallsOf(program.Method))
                {
                    if ((call.Helper.Programs & program.Type) != 0) continue;
                    bool sameClass = SymbolEqualityComparer.Default.Equals(call.Caller.ContainingType, program.Method.ContainingType);
                    Location at = sameClass ? call.Location : program.Method.Locations[0];
                    if (!reported.Add((at, program.Type))) continue;
                    string where = sameClass ? "" : $" (at {call.Location.GetLineSpan().Path}:{call.Location.GetLineSpan().StartLinePosition.Line + 1})";
                    context.ReportDiagnostic(Diagnostic.Create(BpfDiagnostics.HelperNotAvailable, at,
                        call.Name, call.Helper.Id, program.Method.Name, program.AttributeName, graph.Symbols.Describe(program.Type),
                        call.Through + where, graph.Symbols.Describe(call.Helper.Programs)));
                }
            }
        }
    }
}
