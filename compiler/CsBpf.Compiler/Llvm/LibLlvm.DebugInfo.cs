using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// Debug-info builder imports. The BPF back end turns this DWARF-style metadata into BTF (types, maps, func
// info) and BTF.ext line info, which is how `bpftool prog dump xlated` shows the C# source lines.
internal static unsafe partial class LibLlvm
{
    [LibraryImport(Name, EntryPoint = "LLVMCreateDIBuilder")]
    internal static partial nint CreateDIBuilder(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeDIBuilder")]
    internal static partial void DisposeDIBuilder(nint builder);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderFinalize")]
    internal static partial void DIBuilderFinalize(nint builder);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateFile")]
    internal static partial LMetadata DIBuilderCreateFile(nint builder, byte* fileName, nuint fileNameLength, byte* directory, nuint directoryLength);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateCompileUnit")]
    internal static partial LMetadata DIBuilderCreateCompileUnit(nint builder, int language, LMetadata file, byte* producer, nuint producerLength,
        int isOptimized, byte* flags, nuint flagsLength, uint runtimeVersion, byte* splitName, nuint splitNameLength, int emissionKind,
        uint dwoId, int splitDebugInlining, int debugInfoForProfiling, byte* sysRoot, nuint sysRootLength, byte* sdk, nuint sdkLength);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateFunction")]
    internal static partial LMetadata DIBuilderCreateFunction(nint builder, LMetadata scope, byte* name, nuint nameLength, byte* linkageName,
        nuint linkageNameLength, LMetadata file, uint line, LMetadata type, int isLocalToUnit, int isDefinition, uint scopeLine, int flags, int isOptimized);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateSubroutineType")]
    internal static partial LMetadata DIBuilderCreateSubroutineType(nint builder, LMetadata file, LMetadata* parameterTypes, uint count, int flags);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateBasicType")]
    internal static partial LMetadata DIBuilderCreateBasicType(nint builder, byte* name, nuint nameLength, ulong sizeInBits, uint encoding, int flags);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreatePointerType")]
    internal static partial LMetadata DIBuilderCreatePointerType(nint builder, LMetadata pointee, ulong sizeInBits, uint alignInBits, uint addressSpace, byte* name, nuint nameLength);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateArrayType")]
    internal static partial LMetadata DIBuilderCreateArrayType(nint builder, ulong sizeInBits, uint alignInBits, LMetadata elementType, LMetadata* subscripts, uint count);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderGetOrCreateSubrange")]
    internal static partial LMetadata DIBuilderGetOrCreateSubrange(nint builder, long lowerBound, long count);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateStructType")]
    internal static partial LMetadata DIBuilderCreateStructType(nint builder, LMetadata scope, byte* name, nuint nameLength, LMetadata file, uint line,
        ulong sizeInBits, uint alignInBits, int flags, LMetadata derivedFrom, LMetadata* elements, uint count, uint runtimeLanguage,
        LMetadata vtableHolder, byte* uniqueId, nuint uniqueIdLength);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateUnionType")]
    internal static partial LMetadata DIBuilderCreateUnionType(nint builder, LMetadata scope, byte* name, nuint nameLength, LMetadata file, uint line,
        ulong sizeInBits, uint alignInBits, int flags, LMetadata* elements, uint count, uint runtimeLanguage, byte* uniqueId, nuint uniqueIdLength);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateMemberType")]
    internal static partial LMetadata DIBuilderCreateMemberType(nint builder, LMetadata scope, byte* name, nuint nameLength, LMetadata file, uint line,
        ulong sizeInBits, uint alignInBits, ulong offsetInBits, int flags, LMetadata type);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateTypedef")]
    internal static partial LMetadata DIBuilderCreateTypedef(nint builder, LMetadata type, byte* name, nuint nameLength, LMetadata file, uint line, LMetadata scope, uint alignInBits);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateEnumerator")]
    internal static partial LMetadata DIBuilderCreateEnumerator(nint builder, byte* name, nuint nameLength, long value, int isUnsigned);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateEnumerationType")]
    internal static partial LMetadata DIBuilderCreateEnumerationType(nint builder, LMetadata scope, byte* name, nuint nameLength, LMetadata file, uint line,
        ulong sizeInBits, uint alignInBits, LMetadata* elements, uint count, LMetadata classType);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateExpression")]
    internal static partial LMetadata DIBuilderCreateExpression(nint builder, ulong* address, nuint length);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateGlobalVariableExpression")]
    internal static partial LMetadata DIBuilderCreateGlobalVariableExpression(nint builder, LMetadata scope, byte* name, nuint nameLength,
        byte* linkage, nuint linkageLength, LMetadata file, uint line, LMetadata type, int localToUnit, LMetadata expression, LMetadata declaration, uint alignInBits);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateParameterVariable")]
    internal static partial LMetadata DIBuilderCreateParameterVariable(nint builder, LMetadata scope, byte* name, nuint nameLength, uint argNo,
        LMetadata file, uint line, LMetadata type, int alwaysPreserve, int flags);

    [LibraryImport(Name, EntryPoint = "LLVMDIBuilderCreateDebugLocation")]
    internal static partial LMetadata DIBuilderCreateDebugLocation(nint context, uint line, uint column, LMetadata scope, LMetadata inlinedAt);
}
