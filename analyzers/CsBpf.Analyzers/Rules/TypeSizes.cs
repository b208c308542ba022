using System;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Sizes of BPF data as the compiler lays it out (compiler/Types/TypeMapper: the CLR's sequential layout
    /// with natural alignment; spans are a 16-byte pointer and length pair; context types are pointers). Null for
    /// types the compiler does not lay out.
    /// </summary>
    internal static class TypeSizes
    {
        public static (long Size, long Align)? Of(ITypeSymbol? type, BpfCodeSymbols symbols, int depth = 0)
        {
            if (type is null || depth > 16) return null;
            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean: case SpecialType.System_SByte: case SpecialType.System_Byte: return (1, 1);
                case SpecialType.System_Int16: case SpecialType.System_UInt16: case SpecialType.System_Char: return (2, 2);
                case SpecialType.System_Int32: case SpecialType.System_UInt32: return (4, 4);
                case SpecialType.System_Int64: case SpecialType.System_UInt64: case SpecialType.System_IntPtr: case SpecialType.System_UIntPtr: return (8, 8);
            }
            if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || symbols.IsContext(type)) return (8, 8);
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying }) return Of(underlying, symbols, depth + 1);
            if (symbols.IsSpan(type)) return (16, 8);
            if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } s || type.SpecialType != SpecialType.None) return null;
            long offset = 0, align = 1;
            int? inline = symbols.InlineArrayLength(s);
            foreach (ISymbol member in s.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false } f) continue;
                if (Of(f.Type, symbols, depth + 1) is not var (size, a)) return null;
                if (inline is int n) return (size * n, a);
                offset = (offset + a - 1) / a * a + size;
                align = Math.Max(align, a);
            }
            return (Math.Max(1, (offset + align - 1) / align * align), align);
        }

        /// <summary>A stack slot's size: at least 8 bytes, a multiple of 8 (clang and our lowering align locals so).</summary>
        public static long Slot(long size) => Math.Max(8, (size + 7) / 8 * 8);
    }
}
