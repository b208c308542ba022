using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// IR walking and rewriting imports, for the fix-ups that run on the optimised module (LlvmModule.StackIndexes),
// and the context's diagnostic handler (LlvmModule.Diagnostics).
internal static unsafe partial class LibLlvm
{
    [LibraryImport(Name, EntryPoint = "LLVMGetFirstFunction")]
    internal static partial LValue GetFirstFunction(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMGetNextFunction")]
    internal static partial LValue GetNextFunction(LValue function);

    [LibraryImport(Name, EntryPoint = "LLVMGetFirstBasicBlock")]
    internal static partial LBlock GetFirstBasicBlock(LValue function);

    [LibraryImport(Name, EntryPoint = "LLVMGetNextBasicBlock")]
    internal static partial LBlock GetNextBasicBlock(LBlock block);

    [LibraryImport(Name, EntryPoint = "LLVMGetFirstInstruction")]
    internal static partial LValue GetFirstInstruction(LBlock block);

    [LibraryImport(Name, EntryPoint = "LLVMGetNextInstruction")]
    internal static partial LValue GetNextInstruction(LValue instruction);

    [LibraryImport(Name, EntryPoint = "LLVMGetInstructionOpcode")]
    internal static partial int GetInstructionOpcode(LValue instruction);

    [LibraryImport(Name, EntryPoint = "LLVMGetNumOperands")]
    internal static partial int GetNumOperands(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMSetOperand")]
    internal static partial void SetOperand(LValue user, uint index, LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMIsConstant")]
    internal static partial int IsConstant(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMIsAAllocaInst")]
    internal static partial LValue IsAAllocaInst(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMPositionBuilderBefore")]
    internal static partial void PositionBuilderBefore(nint builder, LValue instruction);

    [LibraryImport(Name, EntryPoint = "LLVMGetModuleDataLayout")]
    internal static partial nint GetModuleDataLayout(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMABISizeOfType")]
    internal static partial ulong ABISizeOfType(nint targetData, LType type);

    [LibraryImport(Name, EntryPoint = "LLVMOffsetOfElement")]
    internal static partial ulong OffsetOfElement(nint targetData, LType structType, uint element);

    [LibraryImport(Name, EntryPoint = "LLVMGetAllocatedType")]
    internal static partial LType GetAllocatedType(LValue alloca);

    [LibraryImport(Name, EntryPoint = "LLVMGlobalGetValueType")]
    internal static partial LType GlobalGetValueType(LValue global);

    [LibraryImport(Name, EntryPoint = "LLVMIsAGlobalVariable")]
    internal static partial LValue IsAGlobalVariable(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMGetGEPSourceElementType")]
    internal static partial LType GetGEPSourceElementType(LValue gep);

    [LibraryImport(Name, EntryPoint = "LLVMGetElementType")]
    internal static partial LType GetElementType(LType arrayType);

    [LibraryImport(Name, EntryPoint = "LLVMConstIntGetSExtValue")]
    internal static partial long ConstIntGetSExtValue(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMIsAConstantInt")]
    internal static partial LValue IsAConstantInt(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMStructGetTypeAtIndex")]
    internal static partial LType StructGetTypeAtIndex(LType structType, uint index);

    [LibraryImport(Name, EntryPoint = "LLVMInstructionGetDebugLoc")]
    internal static partial LMetadata InstructionGetDebugLoc(LValue instruction);

    [LibraryImport(Name, EntryPoint = "LLVMCloneModule")]
    internal static partial nint CloneModule(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMGetDataLayoutStr")]
    internal static partial nint GetDataLayoutStr(nint module);

    [LibraryImport(Name, EntryPoint = "LLVMInstructionEraseFromParent")]
    internal static partial void InstructionEraseFromParent(LValue instruction);

    [LibraryImport(Name, EntryPoint = "LLVMGetSection")]
    internal static partial nint GetSection(LValue global);

    [LibraryImport(Name, EntryPoint = "LLVMCountParams")]
    internal static partial uint CountParams(LValue function);

    [LibraryImport(Name, EntryPoint = "LLVMSetVolatile")]
    internal static partial void SetVolatile(LValue memoryAccess, int isVolatile);

    [LibraryImport(Name, EntryPoint = "LLVMGetCalledValue")]
    internal static partial LValue GetCalledValue(LValue call);

    [LibraryImport(Name, EntryPoint = "LLVMIsAFunction")]
    internal static partial LValue IsAFunction(LValue value);

    [LibraryImport(Name, EntryPoint = "LLVMGetValueName2")]
    internal static partial nint GetValueName2(LValue value, out nuint length);

    [LibraryImport(Name, EntryPoint = "LLVMContextSetDiagnosticHandler")]
    internal static partial void ContextSetDiagnosticHandler(nint context, delegate* unmanaged<nint, nint, void> handler, nint diagnosticContext);

    [LibraryImport(Name, EntryPoint = "LLVMGetDiagInfoDescription")]
    internal static partial nint GetDiagInfoDescription(nint info);

    [LibraryImport(Name, EntryPoint = "LLVMGetDiagInfoSeverity")]
    internal static partial int GetDiagInfoSeverity(nint info);

    [LibraryImport(Name, EntryPoint = "LLVMGetInlineAsm")]
    internal static partial LValue GetInlineAsm(LType type, byte* asmString, nuint asmLength, byte* constraints, nuint constraintsLength,
        int hasSideEffects, int isAlignStack, int dialect, int canThrow);
}
