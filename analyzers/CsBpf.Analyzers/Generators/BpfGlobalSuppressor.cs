using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Analyzers.Generators
{
    /// <summary>
    /// Suppresses the C# compiler's "field is never assigned / never used / assigned but never read" warnings
    /// (CS0649, CS0169, CS0414) on the static fields of <c>[BpfProgram]</c> classes: those fields are BPF global
    /// variables, which the host sets through the generated loader (<c>skeleton.Threshold = 10</c> before load)
    /// and the BPF programs read, or the reverse — uses the C# compiler cannot see. Without this, a project with
    /// TreatWarningsAsErrors could not declare a configuration knob.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BpfGlobalSuppressor : DiagnosticSuppressor
    {
        /// <summary>CS0649 (never assigned) on a BPF global.</summary>
        public static readonly SuppressionDescriptor NeverAssigned = new SuppressionDescriptor("CSBPF1210", "CS0649",
            "A BPF global variable is set by the host through the generated loader (before load for static readonly fields) or by the BPF programs.");

        /// <summary>CS0169 (never used) on a BPF global.</summary>
        public static readonly SuppressionDescriptor NeverUsed = new SuppressionDescriptor("CSBPF1211", "CS0169",
            "A BPF global variable is used by the host through the generated loader, which the C# compiler does not see as a use of the field.");

        /// <summary>CS0414 (assigned but never read) on a BPF global.</summary>
        public static readonly SuppressionDescriptor NeverRead = new SuppressionDescriptor("CSBPF1212", "CS0414",
            "A BPF global variable is read by the host through the generated loader.");

        /// <inheritdoc />
        public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(NeverAssigned, NeverUsed, NeverRead);

        /// <inheritdoc />
        public override void ReportSuppressions(SuppressionAnalysisContext context)
        {
            foreach (var diagnostic in context.ReportedDiagnostics)
            {
                var descriptor = SupportedSuppressions.FirstOrDefault(s => s.SuppressedDiagnosticId == diagnostic.Id);
                if (descriptor is null || diagnostic.Location.SourceTree is not { } tree) continue;
                var model = context.GetSemanticModel(tree);
                var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
                if (model.GetDeclaredSymbol(node, context.CancellationToken) is IFieldSymbol { IsStatic: true } field && IsBpfClass(field.ContainingType))
                    context.ReportSuppression(Suppression.Create(descriptor, diagnostic));
            }
        }

        private static bool IsBpfClass(INamedTypeSymbol? type) =>
            type is not null && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BpfKnownTypes.BpfProgramAttribute);
    }
}
