namespace CsBpf.Compiler.Llvm;

/// <summary><c>LLVMIntPredicate</c>.</summary>
internal enum IntPredicate
{
    Eq = 32, Ne, Ugt, Uge, Ult, Ule, Sgt, Sge, Slt, Sle,
}

/// <summary><c>LLVMAtomicRMWBinOp</c>.</summary>
internal enum AtomicRmwOp
{
    Xchg, Add, Sub, And, Nand, Or, Xor, Max, Min, UMax, UMin,
}

/// <summary><c>LLVMLinkage</c> (the values we use).</summary>
internal enum Linkage
{
    External = 0,
    Internal = 8,
    Private = 9,
}

/// <summary><c>LLVMDWARFTypeEncoding</c> values (DW_ATE_*).</summary>
internal static class DwarfEncoding
{
    public const uint Boolean = 0x02;
    public const uint Signed = 0x05;
    public const uint SignedChar = 0x06;
    public const uint Unsigned = 0x08;
    public const uint UnsignedChar = 0x08;
    public const uint Utf = 0x10;
}
