using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// LLVM's own diagnostics (the back end reports, for example, a frame over the 512-byte BPF stack through
// LLVMContext::diagnose). Without a handler LLVM prints an error and calls exit(1), which would end csbpfc —
// or the IDE's or test host's process — without a diagnostic; with one, errors are collected here and turned
// into CsBpf diagnostics by the caller.
internal sealed unsafe partial class LlvmModule
{
    private GCHandle _self;
    private readonly List<string> _backendErrors = [];

    /// <summary>Errors LLVM reported while optimising or emitting (empty when there were none).</summary>
    public IReadOnlyList<string> BackendErrors => _backendErrors;

    private void InstallDiagnosticHandler()
    {
        _self = GCHandle.Alloc(this);
        LibLlvm.ContextSetDiagnosticHandler(_context, &OnDiagnostic, GCHandle.ToIntPtr(_self));
    }

    /// <summary>The name of a global value (a function).</summary>
    public static string NameOf(LValue value)
    {
        nint name = LibLlvm.GetValueName2(value, out nuint length);
        return name == 0 ? "" : Marshal.PtrToStringUTF8(name, checked((int)length));
    }

    private void FreeDiagnosticHandler()
    {
        if (_self.IsAllocated) _self.Free();
    }

    [UnmanagedCallersOnly]
    private static void OnDiagnostic(nint info, nint context)
    {
        if (LibLlvm.GetDiagInfoSeverity(info) != 0) return; // LLVMDSError only; warnings, remarks and notes are not ours to show
        nint description = LibLlvm.GetDiagInfoDescription(info);
        string text;
        try { text = Marshal.PtrToStringUTF8(description) ?? "unknown LLVM error"; }
        finally { LibLlvm.DisposeMessage(description); }
        if (GCHandle.FromIntPtr(context).Target is LlvmModule module) module._backendErrors.Add(text);
    }
}
