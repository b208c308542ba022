using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Analyzers.Rules.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// The flow rules, from one data-flow pass per BPF method over Roslyn's control-flow graph
    /// (<see cref="MethodFlowAnalysis"/>): loops the verifier cannot bound (CSBPF0014), map lookup results used
    /// without a null check on some path (0016), packet references used without their bounds check (0020) or after a helper that moved the packet (0021), divisors that may be zero (0017) or -1 against MinValue (0018),
    /// span indexes that may be out of range (0019). Methods are analysed callers first, so a parameter's range
    /// is what its call sites pass (as after LLVM inlines or propagates constants into it).
    /// </summary>
    /// <remarks>The compiler checks 0017-0019 again: it emits guards LLVM must prove unreachable and reports the
    /// survivors with these IDs, so code this analysis does not see is still never miscompiled. A division guard
    /// this analysis proved (<see cref="Flow.GuardProofs"/>) is dropped even when LLVM cannot prove it, so code
    /// the analyzers accept compiles.</remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FlowRulesAnalyzer : BpfCodeAnalyzer
    {
        private static bool HasErrors(IOperation body)
        {
            foreach (IOperation op in body.DescendantsAndSelf())
                if (op is IInvalidOperation || op.Type?.TypeKind == TypeKind.Error) return true;
            return false;
        }

        private static readonly ImmutableArray<DiagnosticDescriptor> s_supported = ImmutableArray.Create(
            BpfDiagnostics.UnboundedLoop, BpfDiagnostics.MapValueNullCheck, BpfDiagnostics.DivisionByZero,
            BpfDiagnostics.DivisionOverflow, BpfDiagnostics.SpanIndexOutOfRange, BpfDiagnostics.PacketReferenceNullCheck,
            BpfDiagnostics.StalePacketReference);

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => s_supported;

        internal override bool NeedsControlFlowGraph => true;

        internal override void AnalyzeClass(BpfClassCode code, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            // Callers before callees (reverse post-order from the programs); a method on a call cycle starts
            // from unknown parameters.
            var order = new List<BpfMethodCode>();
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            void Visit(BpfMethodCode m)
            {
                if (!visited.Add(m.Method)) return;
                foreach (BpfCall call in m.Calls)
                    if (code.Find(call.Callee) is { } callee) Visit(callee);
                order.Add(m);
            }
            foreach (BpfMethodCode m in code.Methods)
                if (m.IsProgram) Visit(m);
            order.Reverse();

            var callers = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
            foreach (BpfMethodCode m in code.Methods)
                foreach (BpfCall call in m.Calls)
                    callers[call.Callee] = (callers.TryGetValue(call.Callee, out int n) ? n : 0) + 1;

            var arguments = new Dictionary<IMethodSymbol, List<FlowValue[]>>(SymbolEqualityComparer.Default);
            foreach (BpfMethodCode method in order)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Code with C# errors: the C# compiler reports it; guessing around the errors would only add noise.
                if (method.Graph is null || HasErrors(method.Body)) continue;
                var entry = new FlowState();
                bool narrowed = false;
                if (!method.IsProgram && arguments.TryGetValue(method.Method, out var sites)
                    && sites.Count == (callers.TryGetValue(method.Method, out int expected) ? expected : -1))
                {
                    foreach (IParameterSymbol p in method.Method.Parameters)
                    {
                        if (p.RefKind != RefKind.None) continue;
                        FlowValue? joined = null;
                        foreach (FlowValue[] site in sites)
                            joined = joined is { } j ? FlowValue.Join(j, site[p.Ordinal]) : site[p.Ordinal];
                        if (joined is not { } value) continue;
                        entry.Set(p, value.WithoutFacts());
                        narrowed |= value.Integer is { } range ? Interval.Of(p.Type) is not { } whole || !range.Equals(whole)
                            : value.Length is not null || value.Reference != Nullness.Unknown;
                    }
                }
                // Proofs that rest on the call sites seen here are not the compiler's to rely on (RecordsProofs).
                var analysis = new MethodFlowAnalysis(method, code.Symbols, entry) { Callees = code.Find, RecordsProofs = !narrowed };
                analysis.Run(report);
                foreach (var (callee, values) in analysis.CallSites.Values)
                {
                    if (!arguments.TryGetValue(callee, out var list)) arguments[callee] = list = new List<FlowValue[]>();
                    list.Add(values);
                }
                LoopBounds.Check(analysis, code.Symbols, report);
            }
        }
    }
}
