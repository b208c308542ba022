using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// Diagnostics the back end reports through the context (e.g. the BPF target's "stack limit exceeded").
internal static unsafe partial class LibLlvm
{
    [LibraryImport(Name, EntryPoint = "LLVMContextSetDiagnosticHandler")]
    internal static partial void ContextSetDiagnosticHandler(nint context, delegate* unmanaged<nint, nint, void> handler, nint diagnosticContext);

    /// <summary>The description (dispose with <see cref="DisposeMessage"/>).</summary>
    [LibraryImport(Name, EntryPoint = "LLVMGetDiagInfoDescription")]
    internal static partial nint GetDiagInfoDescription(nint diagnosticInfo);

    /// <summary>LLVMDSError = 0, LLVMDSWarning = 1, LLVMDSRemark = 2, LLVMDSNote = 3.</summary>
    [LibraryImport(Name, EntryPoint = "LLVMGetDiagInfoSeverity")]
    internal static partial int GetDiagInfoSeverity(nint diagnosticInfo);

    [LibraryImport(Name, EntryPoint = "LLVMGetValueName2")]
    internal static partial byte* GetValueName2(LValue value, out nuint length);
}
