using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Types;

// Debug-info types. The BPF back end turns them into BTF, so these names are what `bpftool btf dump`
// shows for map keys and values: C# names (uint, ulong, the struct's name).
internal sealed partial class TypeMapper
{
    private readonly Dictionary<ITypeSymbol, LMetadata> _debugTypes = new(SymbolEqualityComparer.Default);

    public LMetadata File { get; set; }

    /// <summary>The debug type of <paramref name="type"/>; requires a prior successful <see cref="TryGetLayout"/>.</summary>
    public LMetadata DebugType(ITypeSymbol type)
    {
        if (_debugTypes.TryGetValue(type, out LMetadata cached)) return cached;
        LMetadata result = ComputeDebugType(type);
        _debugTypes[type] = result;
        return result;
    }

    private LMetadata ComputeDebugType(ITypeSymbol type)
    {
        string name = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return llvm.DiBasicType("bool", 8, DwarfEncoding.Boolean);
            case SpecialType.System_SByte: return llvm.DiBasicType("sbyte", 8, DwarfEncoding.SignedChar);
            case SpecialType.System_Byte: return llvm.DiBasicType("byte", 8, DwarfEncoding.UnsignedChar);
            case SpecialType.System_Char: return llvm.DiBasicType("char", 16, DwarfEncoding.Unsigned);
            case SpecialType.System_Int16: return llvm.DiBasicType("short", 16, DwarfEncoding.Signed);
            case SpecialType.System_UInt16: return llvm.DiBasicType("ushort", 16, DwarfEncoding.Unsigned);
            case SpecialType.System_Int32: return llvm.DiBasicType("int", 32, DwarfEncoding.Signed);
            case SpecialType.System_UInt32: return llvm.DiBasicType("uint", 32, DwarfEncoding.Unsigned);
            case SpecialType.System_Int64: return llvm.DiBasicType("long", 64, DwarfEncoding.Signed);
            case SpecialType.System_UInt64: return llvm.DiBasicType("ulong", 64, DwarfEncoding.Unsigned);
            case SpecialType.System_IntPtr: return llvm.DiBasicType("nint", 64, DwarfEncoding.Signed);
            case SpecialType.System_UIntPtr: return llvm.DiBasicType("nuint", 64, DwarfEncoding.Unsigned);
        }
        if (type is IPointerTypeSymbol p)
            return llvm.DiPointer(p.PointedAtType.SpecialType == SpecialType.System_Void ? default : DebugType(p.PointedAtType));
        if (IsContext(type) || IsMap(type))
            return llvm.DiPointer(default); // void *ctx, as libbpf and the kernel's BTF expect
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } e)
        {
            TypeLayout u = TryGetLayout(underlying, out _)!;
            var values = e.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
                .Select(f => (f.Name, Convert.ToInt64(f.ConstantValue))).ToArray();
            return llvm.DiEnum(File, e.Name, File, 0, u.Size * 8, values, !u.IsSigned, DebugType(underlying));
        }
        if (SpanElementType(type) is { } spanElement)
        {
            LMetadata[] spanMembers =
            [
                llvm.DiMember(File, "reference", File, 0, 64, 64, 0, llvm.DiPointer(DebugType(spanElement))),
                llvm.DiMember(File, "length", File, 0, 32, 32, 64, llvm.DiBasicType("int", 32, DwarfEncoding.Signed)),
            ];
            return llvm.DiStruct(File, type.Name, File, 0, 128, 64, spanMembers);
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } a && InlineArrayLength(a) is int length)
        {
            ITypeSymbol elementType = a.GetMembers().OfType<IFieldSymbol>().Single(f => !f.IsStatic).Type;
            TypeLayout el = TryGetLayout(elementType, out _)!;
            return llvm.DiTypedef(llvm.DiArray(DebugType(elementType), el.Size * 8, length, el.Align * 8), a.Name, File, 0, File);
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } ex && TryGetLayout(ex, out _) is { Fields: { } explicitFields } explicitLayout
            && explicitFields.Values.Any(f => f.Index < 0))
            return ExplicitDebugType(ex, explicitLayout, explicitFields);
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } s && TryGetLayout(s, out _) is { Fields: { } fields } layout)
        {
            var members = fields.OrderBy(f => f.Value.Offset)
                .Select(f =>
                {
                    return DebugMember(s, f.Key, f.Value.Type, f.Value.Offset);
                }).ToArray();
            return llvm.DiStruct(File, s.Name, File, 0, layout.Size * 8, layout.Align * 8, members);
        }
        throw new InvalidOperationException("no debug type for " + name);
    }

    /// <summary>The BTF member for field <paramref name="name"/> at <paramref name="offset"/> bytes; a fixed buffer
    /// (<c>fixed T Name[N]</c>) is an array member, as C would declare it.</summary>
    private LMetadata DebugMember(INamedTypeSymbol owner, string name, ITypeSymbol type, ulong offset)
    {
        if (owner.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault() is { IsFixedSizeBuffer: true, Type: IPointerTypeSymbol p } buffer)
        {
            TypeLayout el = TryGetLayout(p.PointedAtType, out _)!;
            return llvm.DiMember(File, name, File, 0, el.Size * 8 * (ulong)buffer.FixedSize, el.Align * 8, offset * 8,
                llvm.DiArray(DebugType(p.PointedAtType), el.Size * 8, buffer.FixedSize, el.Align * 8));
        }
        TypeLayout fl = TryGetLayout(type, out _)!;
        return llvm.DiMember(File, name, File, 0, fl.Size * 8, fl.Align * 8, offset * 8, DebugType(type));
    }
}
