using System.Text.RegularExpressions;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// Errors LLVM reports through its diagnostic handler (LlvmModule.Diagnostics) become diagnostics: a frame
// over the 512-byte BPF stack (BPFRegisterInfo: "Looks like the BPF stack limit is exceeded") is CSBPF0015 (the
// rule set's stack rule, which CallGraphAnalyzer estimates while typing) at the C# method, with what to do; anything else is an internal error (CSBPF2001).
internal sealed partial class ModuleLowering
{
    private int _reportedBackendErrors;
    private readonly HashSet<string> _reportedBackendMessages = new(StringComparer.Ordinal);

    /// <summary>Reports the LLVM errors not reported yet; true when there was one.</summary>
    private bool ReportBackendErrors()
    {
        IReadOnlyList<string> errors = Llvm.BackendErrors;
        for (; _reportedBackendErrors < errors.Count; _reportedBackendErrors++)
        {
            string error = errors[_reportedBackendErrors];
            // The back end reports the stack limit once per frame access: one diagnostic per function is enough.
            if (!_reportedBackendMessages.Add(Regex.Match(error, @"in function (\S+)") is { Success: true } f && error.Contains("stack limit", StringComparison.Ordinal) ? "stack:" + f.Groups[1].Value : error))
                continue;
            if (error.Contains("stack limit", StringComparison.Ordinal))
            {
                IMethodSymbol? method = Regex.Match(error, @"in function (\S+)") is { Success: true } m ? MethodOfFunction(m.Groups[1].Value) : null;
                Location at = method?.Locations.FirstOrDefault() ?? Model.Class.Locations.FirstOrDefault() ?? Location.None;
                Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.StackLimit, at, method?.Name ?? Model.Class.Name, "more than 512",
                    " (LLVM's frame layout: locals of disjoint scopes share stack, but calls that are inlined add their callee's locals to the " +
                    "caller's frame; [MethodImpl(MethodImplOptions.NoInlining)] gives them their own)"));
            }
            else
            {
                Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.BackendFailure, Model.Class.Locations.FirstOrDefault() ?? Location.None, Model.FullName, error));
            }
        }
        return errors.Count > 0;
    }

    /// <summary>The C# method an LLVM function was lowered from, by its name.</summary>
    private IMethodSymbol? MethodOfFunction(string name) =>
        _functions.Keys.FirstOrDefault(m => Model.Programs.Any(p => p.IsDirectEntry && SymbolEqualityComparer.Default.Equals(p.Method, m)) ? m.Name == name : MangledName(m) == name);
}
