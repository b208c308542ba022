using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Types;

// Struct layout attributes, byte for byte the CLR's (checked against Unsafe.SizeOf and field addresses on the
// CLR by the tests): [StructLayout(Sequential | Explicit, Pack = p, Size = n)], [FieldOffset(o)], and fixed
// buffers (`fixed T Name[N]`: N consecutive T's aligned as T).
//   Sequential: each field at the next multiple of min(its alignment, Pack); the struct is aligned to the
//     largest of those and its size rounded up to that; Size only grows it (not rounded again).
//   Explicit: each field at its [FieldOffset], even misaligned or overlapping; the struct is aligned to
//     min(largest natural field alignment, Pack) and its size is the end of the last byte rounded up to that,
//     or Size when larger.
// Fields that end up below their natural alignment are accessed with that lower alignment (the verifier
// rejects misaligned stack accesses, so LLVM must split them); FunctionLowering tracks it per address.
internal sealed partial class TypeMapper
{
    private const int LayoutKindSequential = 0, LayoutKindExplicit = 2, LayoutKindAuto = 3;

    /// <summary>The <c>[StructLayout]</c> of a struct: kind, Pack (0 = default) and Size (0 = none).</summary>
    private static (int Kind, int Pack, int Size) StructLayoutOf(INamedTypeSymbol type)
    {
        AttributeData? a = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.StructLayoutAttribute");
        if (a is null) return (LayoutKindSequential, 0, 0);
        int kind = a.ConstructorArguments.FirstOrDefault().Value switch { int k => k, short k => k, _ => LayoutKindSequential };
        int pack = a.NamedArguments.FirstOrDefault(n => n.Key == "Pack").Value.Value is int p ? p : 0;
        int size = a.NamedArguments.FirstOrDefault(n => n.Key == "Size").Value.Value is int s ? s : 0;
        return (kind, pack, size);
    }

    /// <summary>The storage of a field: its own type's layout, or for a fixed buffer N elements.</summary>
    private (LType Memory, ulong Size, uint Align)? FieldStorage(IFieldSymbol field, out string? why)
    {
        if (field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol { PointedAtType: var element })
        {
            TypeLayout? e = TryGetLayout(element, out why);
            if (e is null) return null;
            return (llvm.Array(e.Memory, (ulong)field.FixedSize), e.Size * (ulong)field.FixedSize, e.Align);
        }
        TypeLayout? f = TryGetLayout(field.Type, out why);
        return f is null ? null : (f.Memory, f.Size, f.Align);
    }

    /// <summary>The length of a fixed buffer field, or null.</summary>
    public static int? FixedBufferLength(IFieldSymbol field) => field.IsFixedSizeBuffer ? field.FixedSize : null;

    /// <summary>
    /// An explicit layout is bytes (<c>[size x i8]</c>); its fields are addressed by byte offset (index -1 in
    /// <see cref="TypeLayout.Fields"/>) because they may overlap.
    /// </summary>
    private TypeLayout? ExplicitLayout(INamedTypeSymbol type, int pack, int minimumSize, out string? why)
    {
        why = null;
        var fields = new Dictionary<string, (int, ulong, ITypeSymbol)>();
        ulong end = 0;
        uint align = 1;
        foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
        {
            AttributeData? offsetAttribute = field.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.FieldOffsetAttribute");
            if (offsetAttribute?.ConstructorArguments.FirstOrDefault().Value is not int offset || offset < 0)
            {
                why = $"field '{field.Name}' of an explicit-layout struct has no [FieldOffset]";
                return null;
            }
            if (FieldStorage(field, out why) is not var (_, fieldSize, fieldAlign)) return null;
            fields[field.Name] = (-1, (ulong)offset, field.Type);
            end = Math.Max(end, (ulong)offset + fieldSize);
            align = Math.Max(align, fieldAlign);
        }
        if (pack > 0) align = Math.Min(align, (uint)pack);
        ulong size = Math.Max(1, (end + align - 1) / align * align);
        size = Math.Max(size, (ulong)Math.Max(0, minimumSize));
        return new TypeLayout(llvm.Array(llvm.I8, size), size, align, false, TypeCategory.Struct) { Fields = fields };
    }

    /// <summary>The alignment a field really has inside its struct: its natural alignment, lowered by the
    /// struct's own alignment and by the largest power of two dividing its offset.</summary>
    public static uint FieldAlignment(uint natural, uint containerAlign, ulong offset)
    {
        uint a = Math.Min(natural, containerAlign);
        if (offset != 0) a = (uint)Math.Min(a, offset & (~offset + 1));
        return Math.Max(1, a);
    }
}
