using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Analyzers.Rules.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// CSBPF0061: a ring buffer record from <c>Reserve&lt;T&gt;()</c> (<c>bpf_ringbuf_reserve</c>, helper 131) that
    /// some path does not <c>Submit</c> (helper 132) or <c>Discard</c> (helper 133): the verifier rejects the
    /// program with "Unreleased reference". The analysis is <see cref="ReservationFlow"/>; the diagnostic is at the
    /// reservation, names one leaking exit in its message and carries every leaking exit as an additional
    /// location (for the code fix).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RingBufferReservationAnalyzer : BpfCodeAnalyzer
    {
        private static readonly ImmutableArray<DiagnosticDescriptor> s_supported = ImmutableArray.Create(BpfDiagnostics.RingBufferReservationNotReleased);

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => s_supported;

        internal override bool NeedsControlFlowGraph => true;

        internal override void AnalyzeClass(BpfClassCode code, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            foreach (BpfMethodCode method in code.Methods)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Code with C# errors: the C# compiler reports it.
                if (method.Graph is null || method.Body.DescendantsAndSelf().Any(op => op is IInvalidOperation || op.Type?.TypeKind == TypeKind.Error)) continue;
                foreach (ReservationLeak leak in ReservationFlow.Run(method.Graph, code.Symbols, cancellationToken).Leaks)
                    report(Create(leak));
            }
        }

        /// <summary>The diagnostic of one leak (also what the code fix re-checks its result with).</summary>
        internal static Diagnostic Create(ReservationLeak leak)
        {
            string where = leak.First.GetLineSpan() is { IsValid: true } span ? $"e.g. the path leaving at line {span.StartLinePosition.Line + 1}" : "a path reaches the end";
            return Diagnostic.Create(BpfDiagnostics.RingBufferReservationNotReleased, leak.Origin.Syntax.GetLocation(), leak.Exits, leak.Local, where);
        }
    }
}
