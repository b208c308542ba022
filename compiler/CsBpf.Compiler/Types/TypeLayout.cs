using CsBpf.Compiler.Llvm;

namespace CsBpf.Compiler.Types;

/// <summary>How a C# type is represented: its LLVM type in memory, its size and alignment in bytes,
/// and whether it is a signed integer (for extension and comparisons).</summary>
internal sealed record TypeLayout(LType Memory, ulong Size, uint Align, bool IsSigned, TypeCategory Category)
{
    /// <summary>The field offsets (bytes) and LLVM field indexes of a struct, by field name.</summary>
    public IReadOnlyDictionary<string, (int Index, ulong Offset, Microsoft.CodeAnalysis.ITypeSymbol Type)>? Fields { get; init; }
}

/// <summary>The kind of value a type has in registers.</summary>
internal enum TypeCategory
{
    /// <summary>Integers, chars, enums, nint: an LLVM integer.</summary>
    Integer,
    /// <summary>bool: <c>i1</c> in registers, <c>i8</c> in memory (C#'s one byte).</summary>
    Boolean,
    /// <summary>Pointers and context handles: <c>ptr</c>.</summary>
    Pointer,
    /// <summary>Structs: handled by address; copies are memcpy.</summary>
    Struct,
}
