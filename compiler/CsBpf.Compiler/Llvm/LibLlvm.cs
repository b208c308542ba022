using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

/// <summary>
/// The thin binding over LLVM-C of Debian's libllvm19 (<c>libLLVM.so.19.1</c>): only the functions the
/// compiler uses. The library is located by <see cref="LlvmLibrary"/> (exact soname, <c>CSBPF_LIBLLVM</c>
/// override, version check). Strings are UTF-8; <c>LLVMBool</c> is <see cref="int"/>.
/// </summary>
internal static unsafe partial class LibLlvm
{
    /// <summary>The name every import uses; resolved by <see cref="LlvmLibrary"/>.</summary>
    internal const string Name = "libLLVM.so.19.1";

    // ---- Support, context, module ----
    [LibraryImport(Name, EntryPoint = "LLVMGetVersion")]
    internal static partial void GetVersion(out uint major, out uint minor, out uint patch);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeMessage")]
    internal static partial void DisposeMessage(nint message);

    [LibraryImport(Name, EntryPoint = "LLVMInstallFatalErrorHandler")]
    internal static partial void InstallFatalErrorHandler(delegate* unmanaged<byte*, void> handler);

    [LibraryImport(Name, EntryPoint = "LLVMContextCreate")]
    internal static partial nint ContextCreate();

    [LibraryImport(Name, EntryPoint = "LLVMContextDispose")]
    internal static partial void ContextDispose(nint context);

    [LibraryImport(Name, EntryPoint = "LLVMGetMDKindIDInContext", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint GetMDKindIDInContext(nint context, string name, uint length);

    [LibraryImport(Name, EntryPoint = "LLVMModuleCreateWithNameInContext", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ModuleCreateWithNameInContext(string name, nint context);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeModule")]
    internal static partial void DisposeModule(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMSetTarget", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void SetTarget(nint module, string triple);

    [LibraryImport(Name, EntryPoint = "LLVMSetDataLayout", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void SetDataLayout(nint module, string layout);

    [LibraryImport(Name, EntryPoint = "LLVMSetSourceFileName")]
    internal static partial void SetSourceFileName(nint module, byte* name, nuint length);

    [LibraryImport(Name, EntryPoint = "LLVMAddModuleFlag")]
    internal static partial void AddModuleFlag(nint module, int behavior, byte* key, nuint keyLength, LMetadata value);

    [LibraryImport(Name, EntryPoint = "LLVMPrintModuleToString")]
    internal static partial nint PrintModuleToString(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMVerifyModule")]
    internal static partial int VerifyModule(nint module, int action, out nint message);

    [LibraryImport(Name, EntryPoint = "LLVMValueAsMetadata")]
    internal static partial LMetadata ValueAsMetadata(LValue value);

    // ---- Types ----
    [LibraryImport(Name, EntryPoint = "LLVMIntTypeInContext")]
    internal static partial LType IntTypeInContext(nint context, uint bits);

    [LibraryImport(Name, EntryPoint = "LLVMVoidTypeInContext")]
    internal static partial LType VoidTypeInContext(nint context);

    [LibraryImport(Name, EntryPoint = "LLVMPointerTypeInContext")]
    internal static partial LType PointerTypeInContext(nint context, uint addressSpace);

    [LibraryImport(Name, EntryPoint = "LLVMArrayType2")]
    internal static partial LType ArrayType2(LType element, ulong count);

    [LibraryImport(Name, EntryPoint = "LLVMStructTypeInContext")]
    internal static partial LType StructTypeInContext(nint context, LType* elements, uint count, int packed);

    [LibraryImport(Name, EntryPoint = "LLVMFunctionType")]
    internal static partial LType FunctionType(LType returnType, LType* parameters, uint count, int isVarArg);

    [LibraryImport(Name, EntryPoint = "LLVMTypeOf")]
    internal static partial LType TypeOf(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMGetIntTypeWidth")]
    internal static partial uint GetIntTypeWidth(LType type);

    [LibraryImport(Name, EntryPoint = "LLVMGetTypeKind")]
    internal static partial int GetTypeKind(LType type);

    // ---- Values, globals, functions ----
    [LibraryImport(Name, EntryPoint = "LLVMConstInt")]
    internal static partial LValue ConstInt(LType type, ulong value, int signExtend);

    [LibraryImport(Name, EntryPoint = "LLVMConstNull")]
    internal static partial LValue ConstNull(LType type);

    [LibraryImport(Name, EntryPoint = "LLVMConstStringInContext2")]
    internal static partial LValue ConstStringInContext2(nint context, byte* str, nuint length, int dontNullTerminate);

    [LibraryImport(Name, EntryPoint = "LLVMConstIntToPtr")]
    internal static partial LValue ConstIntToPtr(LValue value, LType type);

    [LibraryImport(Name, EntryPoint = "LLVMAddGlobal", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue AddGlobal(nint module, LType type, string name);

    [LibraryImport(Name, EntryPoint = "LLVMSetInitializer")]
    internal static partial void SetInitializer(LValue global, LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMSetSection", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void SetSection(LValue global, string section);

    [LibraryImport(Name, EntryPoint = "LLVMSetLinkage")]
    internal static partial void SetLinkage(LValue global, Linkage linkage);

    [LibraryImport(Name, EntryPoint = "LLVMSetAlignment")]
    internal static partial void SetAlignment(LValue valueOrInstruction, uint bytes);

    [LibraryImport(Name, EntryPoint = "LLVMSetGlobalConstant")]
    internal static partial void SetGlobalConstant(LValue global, int isConstant);

    [LibraryImport(Name, EntryPoint = "LLVMGlobalSetMetadata")]
    internal static partial void GlobalSetMetadata(LValue global, uint kind, LMetadata metadata);

    [LibraryImport(Name, EntryPoint = "LLVMAddFunction", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue AddFunction(nint module, string name, LType functionType);

    [LibraryImport(Name, EntryPoint = "LLVMGetParam")]
    internal static partial LValue GetParam(LValue function, uint index);

    [LibraryImport(Name, EntryPoint = "LLVMSetSubprogram")]
    internal static partial void SetSubprogram(LValue function, LMetadata subprogram);

    [LibraryImport(Name, EntryPoint = "LLVMGetEnumAttributeKindForName", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint GetEnumAttributeKindForName(string name, nuint length);

    [LibraryImport(Name, EntryPoint = "LLVMCreateEnumAttribute")]
    internal static partial nint CreateEnumAttribute(nint context, uint kind, ulong value);

    [LibraryImport(Name, EntryPoint = "LLVMAddAttributeAtIndex")]
    internal static partial void AddAttributeAtIndex(LValue function, uint index, nint attribute);

    [LibraryImport(Name, EntryPoint = "LLVMAppendBasicBlockInContext", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LBlock AppendBasicBlockInContext(nint context, LValue function, string name);

    [LibraryImport(Name, EntryPoint = "LLVMGetNamedFunction", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue GetNamedFunction(nint module, string name);

    [LibraryImport(Name, EntryPoint = "LLVMGetFirstUse")]
    internal static partial nint GetFirstUse(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMGetNextUse")]
    internal static partial nint GetNextUse(nint use);

    [LibraryImport(Name, EntryPoint = "LLVMGetUser")]
    internal static partial LValue GetUser(nint use);

    [LibraryImport(Name, EntryPoint = "LLVMGetOperand")]
    internal static partial LValue GetOperand(LValue value, uint index);

    [LibraryImport(Name, EntryPoint = "LLVMConstIntGetZExtValue")]
    internal static partial ulong ConstIntGetZExtValue(LValue value);

    // ---- Builder ----
    [LibraryImport(Name, EntryPoint = "LLVMCreateBuilderInContext")]
    internal static partial nint CreateBuilderInContext(nint context);

    [LibraryImport(Name, EntryPoint = "LLVMDisposeBuilder")]
    internal static partial void DisposeBuilder(nint builder);

    [LibraryImport(Name, EntryPoint = "LLVMPositionBuilderAtEnd")]
    internal static partial void PositionBuilderAtEnd(nint builder, LBlock block);

    [LibraryImport(Name, EntryPoint = "LLVMGetInsertBlock")]
    internal static partial LBlock GetInsertBlock(nint builder);

    [LibraryImport(Name, EntryPoint = "LLVMSetCurrentDebugLocation2")]
    internal static partial void SetCurrentDebugLocation2(nint builder, LMetadata location);

    [LibraryImport(Name, EntryPoint = "LLVMBuildRet")]
    internal static partial LValue BuildRet(nint builder, LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMBuildRetVoid")]
    internal static partial LValue BuildRetVoid(nint builder);

    [LibraryImport(Name, EntryPoint = "LLVMBuildBr")]
    internal static partial LValue BuildBr(nint builder, LBlock destination);

    [LibraryImport(Name, EntryPoint = "LLVMBuildCondBr")]
    internal static partial LValue BuildCondBr(nint builder, LValue condition, LBlock then, LBlock @else);

    [LibraryImport(Name, EntryPoint = "LLVMBuildUnreachable")]
    internal static partial LValue BuildUnreachable(nint builder);

    [LibraryImport(Name, EntryPoint = "LLVMBuildAlloca", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildAlloca(nint builder, LType type, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildLoad2", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildLoad2(nint builder, LType type, LValue pointer, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildStore")]
    internal static partial LValue BuildStore(nint builder, LValue value, LValue pointer);

    [LibraryImport(Name, EntryPoint = "LLVMBuildBinOp", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildBinOp(nint builder, int opcode, LValue left, LValue right, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildNeg", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildNeg(nint builder, LValue value, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildNot", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildNot(nint builder, LValue value, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildICmp", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildICmp(nint builder, IntPredicate predicate, LValue left, LValue right, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildCast", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildCast(nint builder, int opcode, LValue value, LType destination, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildSelect", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildSelect(nint builder, LValue condition, LValue then, LValue @else, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildCall2", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildCall2(nint builder, LType functionType, LValue function, LValue* args, uint count, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildGEP2", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildGEP2(nint builder, LType type, LValue pointer, LValue* indices, uint count, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildStructGEP2", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LValue BuildStructGEP2(nint builder, LType type, LValue pointer, uint index, string name);

    [LibraryImport(Name, EntryPoint = "LLVMBuildAtomicRMW")]
    internal static partial LValue BuildAtomicRMW(nint builder, AtomicRmwOp op, LValue pointer, LValue value, int ordering, int singleThread);

    [LibraryImport(Name, EntryPoint = "LLVMBuildMemSet")]
    internal static partial LValue BuildMemSet(nint builder, LValue pointer, LValue value, LValue length, uint align);

    [LibraryImport(Name, EntryPoint = "LLVMBuildMemCpy")]
    internal static partial LValue BuildMemCpy(nint builder, LValue destination, uint destinationAlign, LValue source, uint sourceAlign, LValue size);
}
