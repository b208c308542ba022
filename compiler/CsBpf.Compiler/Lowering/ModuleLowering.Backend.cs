using System.Text.RegularExpressions;
using CsBpf.Compiler.Llvm;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// Errors the LLVM back end reports while emitting (LlvmModule.BackendErrors). The BPF target's stack check is
// the compiler's final word on a frame over 512 bytes: it becomes the rule set's CSBPF0015 (StackBudgetAnalyzer
// estimates the same limit while typing).
internal sealed partial class ModuleLowering
{
    // DiagnosticInfoUnsupported prints "<file>:<line>:<col>: in function <name> <type>: <message>".
    private static readonly Regex s_inFunction = new(@"in function (?<name>[A-Za-z0-9_.$]+)", RegexOptions.CultureInvariant);

    /// <summary>Reports the back end's errors; true when there was one.</summary>
    private bool ReportBackendErrors()
    {
        IReadOnlyList<string> errors = Llvm.BackendErrors;
        foreach (string error in errors.Distinct())
        {
            string function = s_inFunction.Match(error) is { Success: true } m ? m.Groups["name"].Value : Model.Class.Name;
            Location at = LocationOfFunction(function);
            Diagnostics.Add(error.Contains("stack limit", StringComparison.Ordinal)
                ? Diagnostic.Create(BpfDiagnostics.StackLimit, at, function, "more than 512", " (LLVM's frame layout)")
                : Diagnostic.Create(BpfDiagnostics.BackendFailure, at, Model.FullName, error.Trim()));
        }
        return errors.Count > 0;
    }

    /// <summary>The declaration of the method lowered to LLVM function <paramref name="name"/>, else the class.</summary>
    private Location LocationOfFunction(string name)
    {
        foreach (var (method, (function, _)) in _functions)
            if (LlvmModule.NameOf(function) == name) return method.Locations.FirstOrDefault() ?? Location.None;
        return Model.Class.Locations.FirstOrDefault() ?? Location.None;
    }
}
