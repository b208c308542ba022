namespace CsBpf.Compiler.Llvm;

// LLVM-C handles owned by an LLVMContext (types, values, blocks, metadata): plain value wrappers.
// Only the owning roots (context, module, builders, target machine) are disposable; see LlvmSession.

/// <summary>An <c>LLVMTypeRef</c>.</summary>
internal readonly record struct LType(nint Handle)
{
    public bool IsNull => Handle == 0;
}

/// <summary>An <c>LLVMValueRef</c>.</summary>
internal readonly record struct LValue(nint Handle)
{
    public bool IsNull => Handle == 0;
}

/// <summary>An <c>LLVMBasicBlockRef</c>.</summary>
internal readonly record struct LBlock(nint Handle);

/// <summary>An <c>LLVMMetadataRef</c>.</summary>
internal readonly record struct LMetadata(nint Handle)
{
    public static LMetadata Null => default;
}
