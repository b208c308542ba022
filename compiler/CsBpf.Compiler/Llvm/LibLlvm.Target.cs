using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// Target, pass pipeline and object emission imports.
internal static unsafe partial class LibLlvm
{
    [LibraryImport(Name, EntryPoint = "LLVMInitializeBPFTargetInfo")]
    internal static partial void InitializeBPFTargetInfo();

    [LibraryImport(Name, EntryPoint = "LLVMInitializeBPFTarget")]
    internal static partial void InitializeBPFTarget();

    [LibraryImport(Name, EntryPoint = "LLVMInitializeBPFTargetMC")]
    internal static partial void InitializeBPFTargetMC();

    [LibraryImport(Name, EntryPoint = "LLVMInitializeBPFAsmPrinter")]
    internal static partial void InitializeBPFAsmPrinter();

    [LibraryImport(Name, EntryPoint = "LLVMGetTargetFromTriple", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int GetTargetFromTriple(string triple, out nint target, out nint errorMessage);

    [LibraryImport(Name, EntryPoint = "LLVMCreateTargetMachine", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint CreateTargetMachine(nint target, string triple, string cpu, string features, int optLevel, int relocMode, int codeModel);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeTargetMachine")]
    internal static partial void DisposeTargetMachine(nint machine);

    [LibraryImport(Name, EntryPoint = "LLVMCreateTargetDataLayout")]
    internal static partial nint CreateTargetDataLayout(nint machine);

    [LibraryImport(Name, EntryPoint = "LLVMCopyStringRepOfTargetData")]
    internal static partial nint CopyStringRepOfTargetData(nint targetData);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeTargetData")]
    internal static partial void DisposeTargetData(nint targetData);

    [LibraryImport(Name, EntryPoint = "LLVMTargetMachineEmitToMemoryBuffer")]
    internal static partial int TargetMachineEmitToMemoryBuffer(nint machine, nint module, int fileType, out nint errorMessage, out nint buffer);

    [LibraryImport(Name, EntryPoint = "LLVMGetBufferStart")]
    internal static partial byte* GetBufferStart(nint buffer);

    [LibraryImport(Name, EntryPoint = "LLVMGetBufferSize")]
    internal static partial nuint GetBufferSize(nint buffer);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeMemoryBuffer")]
    internal static partial void DisposeMemoryBuffer(nint buffer);

    [LibraryImport(Name, EntryPoint = "LLVMCreatePassBuilderOptions")]
    internal static partial nint CreatePassBuilderOptions();

    [LibraryImport(Name, EntryPoint = "LLVMDisposePassBuilderOptions")]
    internal static partial void DisposePassBuilderOptions(nint options);

    [LibraryImport(Name, EntryPoint = "LLVMRunPasses", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint RunPasses(nint module, string passes, nint machine, nint options);

    [LibraryImport(Name, EntryPoint = "LLVMGetErrorMessage")]
    internal static partial nint GetErrorMessage(nint error);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeErrorMessage")]
    internal static partial void DisposeErrorMessage(nint message);
}
