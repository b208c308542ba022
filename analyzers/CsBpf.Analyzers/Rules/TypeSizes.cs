using System;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Sizes of BPF data as the compiler lays it out (compiler/Types/TypeMapper and TypeMapper.Layouts: the CLR's
    /// layout byte for byte — sequential with Pack and Size, explicit with [FieldOffset], fixed buffers, inline
    /// arrays; spans are a 16-byte pointer and length pair; context types are pointers). Null for types the
    /// compiler does not lay out (auto layout, managed types).
    /// </summary>
    internal static class TypeSizes
    {
        private const int LayoutKindExplicit = 2, LayoutKindAuto = 3;

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
            if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } s || type.SpecialType != SpecialType.None || !s.IsUnmanagedType) return null;

            int kind = 0, pack = 0, minimumSize = 0;
            if (BpfCodeSymbols.FindAttribute(s, symbols.StructLayoutAttribute) is { } layout)
            {
                if (layout.ConstructorArguments.Length == 1) kind = layout.ConstructorArguments[0].Value switch { int k => k, short k => k, _ => 0 };
                foreach (var named in layout.NamedArguments)
                {
                    if (named.Key == "Pack" && named.Value.Value is int p) pack = p;
                    else if (named.Key == "Size" && named.Value.Value is int n) minimumSize = n;
                }
            }
            if (kind == LayoutKindAuto) return null;
            int? inline = symbols.InlineArrayLength(s);
            long offset = 0, end = 0, align = 1;
            foreach (ISymbol member in s.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false } f) continue;
                if (FieldStorage(f, symbols, depth) is not var (size, natural)) return null;
                if (inline is int n) return (size * n, natural);
                if (kind == LayoutKindExplicit)
                {
                    if (BpfCodeSymbols.FindAttribute(f, symbols.FieldOffsetAttribute) is not { ConstructorArguments: { Length: 1 } args } || args[0].Value is not int at || at < 0)
                        return null;
                    end = Math.Max(end, at + size);
                    align = Math.Max(align, natural);
                    continue;
                }
                // Pack caps each field's alignment (and the struct's).
                long fieldAlign = pack > 0 ? Math.Min(natural, pack) : natural;
                offset = (offset + fieldAlign - 1) / fieldAlign * fieldAlign + size;
                align = Math.Max(align, fieldAlign);
                end = offset;
            }
            if (kind == LayoutKindExplicit && pack > 0) align = Math.Min(align, pack);
            long total = Math.Max(1, (end + align - 1) / align * align);
            // [StructLayout(Size = n)] only grows the struct (not rounded again).
            return (Math.Max(total, minimumSize), align);
        }

        /// <summary>A field's bytes and natural alignment: its type's, or for a fixed buffer N elements.</summary>
        private static (long Size, long Align)? FieldStorage(IFieldSymbol field, BpfCodeSymbols symbols, int depth)
        {
            if (field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol { PointedAtType: var element })
                return Of(element, symbols, depth + 1) is var (size, align) ? (size * field.FixedSize, align) : null;
            return Of(field.Type, symbols, depth + 1);
        }

        /// <summary>A stack slot's size: at least 8 bytes, a multiple of 8 (clang and our lowering align locals so).</summary>
        public static long Slot(long size) => Math.Max(8, (size + 7) / 8 * 8);
    }
}
