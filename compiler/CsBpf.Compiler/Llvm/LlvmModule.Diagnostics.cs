using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// Back-end diagnostics. Without a handler, LLVMContext::diagnose prints an error and calls exit(1) — the BPF
// target reports "Looks like the BPF stack limit is exceeded" that way (BPFRegisterInfo.cpp, WarnSize), which
// would end csbpfc (or a test host) instead of becoming a diagnostic. The handler records errors per context.
internal sealed unsafe partial class LlvmModule
{
    private static readonly ConcurrentDictionary<nint, List<string>> s_errors = new();

    private void InstallDiagnosticHandler()
    {
        s_errors[_context] = [];
        LibLlvm.ContextSetDiagnosticHandler(_context, &OnDiagnostic, _context);
    }

    private void RemoveDiagnosticHandler() => s_errors.TryRemove(_context, out _);

    /// <summary>The errors the back end reported so far (e.g. during <see cref="EmitObject"/>).</summary>
    public IReadOnlyList<string> BackendErrors
    {
        get
        {
            if (!s_errors.TryGetValue(_context, out List<string>? errors)) return [];
            lock (errors) return [.. errors];
        }
    }

    /// <summary>The name of a global value (a function).</summary>
    public static string NameOf(LValue value)
    {
        byte* name = LibLlvm.GetValueName2(value, out nuint length);
        return name is null ? "" : System.Text.Encoding.UTF8.GetString(name, checked((int)length));
    }

    [UnmanagedCallersOnly]
    private static void OnDiagnostic(nint info, nint context)
    {
        // Warnings, remarks and notes are dropped; LLVM would only print them to stderr.
        if (LibLlvm.GetDiagInfoSeverity(info) != 0 || !s_errors.TryGetValue(context, out List<string>? errors)) return;
        string text = TakeMessage(LibLlvm.GetDiagInfoDescription(info));
        lock (errors) errors.Add(text);
    }
}
