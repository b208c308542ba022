using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Types;

/// <summary>
/// Maps C# types to LLVM types and layouts (and, in the partial DebugTypes file, to debug-info types that
/// become BTF). Supported: bool, char, all integer types, nint/nuint, enums, pointers, the context structs
/// and unmanaged structs with sequential layout. Anything else returns null (the caller reports CSBPF1002).
/// </summary>
internal sealed partial class TypeMapper(LlvmModule llvm)
{
    private readonly Dictionary<ITypeSymbol, TypeLayout> _layouts = new(SymbolEqualityComparer.Default);

    /// <summary>The layout of <paramref name="type"/>, or null with <paramref name="why"/> set.</summary>
    public TypeLayout? TryGetLayout(ITypeSymbol type, out string? why)
    {
        why = null;
        if (_layouts.TryGetValue(type, out TypeLayout? cached)) return cached;
        TypeLayout? layout = Compute(type, out why);
        if (layout is not null) _layouts[type] = layout;
        return layout;
    }

    private TypeLayout? Compute(ITypeSymbol type, out string? why)
    {
        why = null;
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return new TypeLayout(llvm.I8, 1, 1, false, TypeCategory.Boolean);
            case SpecialType.System_SByte: return Int(8, true);
            case SpecialType.System_Byte: return Int(8, false);
            case SpecialType.System_Int16: return Int(16, true);
            case SpecialType.System_UInt16: return Int(16, false);
            case SpecialType.System_Char: return Int(16, false);
            case SpecialType.System_Int32: return Int(32, true);
            case SpecialType.System_UInt32: return Int(32, false);
            case SpecialType.System_Int64: return Int(64, true);
            case SpecialType.System_UInt64: return Int(64, false);
            case SpecialType.System_IntPtr: return Int(64, true);
            case SpecialType.System_UIntPtr: return Int(64, false);
            case SpecialType.System_Single:
            case SpecialType.System_Double:
                why = "the kernel does not allow floating point in BPF programs; use integers (e.g. fixed point)";
                return null;
        }
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
            return new TypeLayout(llvm.Ptr, 8, 8, false, TypeCategory.Pointer);
        if (IsContext(type))
            return new TypeLayout(llvm.Ptr, 8, 8, false, TypeCategory.Pointer);
        if (IsMap(type))
            return new TypeLayout(llvm.Ptr, 8, 8, false, TypeCategory.Pointer); // an inner map from TryGetMap: a map pointer
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
            return TryGetLayout(underlying, out why);
        if (SpanElementType(type) is { } element)
        {
            // Span<T>/ReadOnlySpan<T>: a (pointer, int length) pair, like the CLR's own layout.
            if (TryGetLayout(element, out why) is null) return null;
            LType pair = llvm.Struct([llvm.Ptr, llvm.I32, llvm.Array(llvm.I8, 4)], packed: false);
            return new TypeLayout(pair, 16, 8, false, TypeCategory.Struct);
        }
        if (SpanEnumeratorElementType(type) is not null)
        {
            // foreach's span enumerator: (reference, length, index); only ever a local of the lowering.
            LType triple = llvm.Struct([llvm.Ptr, llvm.I32, llvm.I32], packed: false);
            return new TypeLayout(triple, 16, 8, false, TypeCategory.Struct);
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } s)
            return StructLayout(s, out why);
        why = type.IsReferenceType
            ? "reference types live on the managed heap, which BPF programs cannot use; use an unmanaged struct"
            : "only integers, bool, char, enums, pointers and unmanaged structs are supported";
        return null;
    }

    /// <summary>
    /// Program context types (structs implementing <c>CsBpf.IBpfContext</c>, and type parameters constrained
    /// to it) are the program's <c>ctx</c> pointer in BPF code, whatever fields the CLR-side struct has.
    /// </summary>
    public static bool IsContext(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol p => p.ConstraintTypes.Any(IsContext),
        INamedTypeSymbol n => n.ToDisplayString() == WellKnownNames.IBpfContext || n.AllInterfaces.Any(i => i.ToDisplayString() == WellKnownNames.IBpfContext),
        _ => false,
    };

    /// <summary>Program-side map classes (marked <c>[BpfMapKind]</c>): in BPF code a map value is a map pointer.</summary>
    public static bool IsMap(ITypeSymbol type) =>
        type is INamedTypeSymbol n && n.OriginalDefinition.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == WellKnownNames.BpfMapKindAttribute);

    /// <summary>The element type of <c>Span&lt;T&gt;</c> or <c>ReadOnlySpan&lt;T&gt;</c>, or null.</summary>
    public static ITypeSymbol? SpanElementType(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments: [var element] } named
        && named.ContainingNamespace?.ToDisplayString() == "System" && named.Name is "Span" or "ReadOnlySpan" ? element : null;

    /// <summary>The element type of <c>Span&lt;T&gt;.Enumerator</c> or <c>ReadOnlySpan&lt;T&gt;.Enumerator</c>, or null.</summary>
    public static ITypeSymbol? SpanEnumeratorElementType(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "Enumerator", ContainingType: { } span } ? SpanElementType(span) : null;

    /// <summary>The length of an <c>[InlineArray(N)]</c> struct, or null.</summary>
    public static int? InlineArrayLength(INamedTypeSymbol type) =>
        type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute")
            ?.ConstructorArguments.FirstOrDefault().Value as int?;

    private TypeLayout Int(int bits, bool signed) => new(llvm.Int(bits), (ulong)bits / 8, (uint)bits / 8, signed, TypeCategory.Integer);

    private TypeLayout? StructLayout(INamedTypeSymbol type, out string? why)
    {
        why = null;
        if (!type.IsUnmanagedType)
        {
            why = "the struct contains references; BPF data must be unmanaged";
            return null;
        }
        var (kind, pack, minimumSize) = StructLayoutOf(type);
        if (kind == LayoutKindAuto)
        {
            why = "[StructLayout(LayoutKind.Auto)] lets the CLR reorder the fields, so the BPF side cannot know the layout; use Sequential or Explicit";
            return null;
        }
        if (kind == LayoutKindExplicit) return ExplicitLayout(type, pack, minimumSize, out why);
        if (InlineArrayLength(type) is int length)
        {
            // [InlineArray(N)] struct { T e; } is N consecutive T's: an LLVM array, same bytes as the CLR's.
            IFieldSymbol element = type.GetMembers().OfType<IFieldSymbol>().Single(f => !f.IsStatic);
            TypeLayout? e = TryGetLayout(element.Type, out why);
            if (e is null) return null;
            return new TypeLayout(llvm.Array(e.Memory, (ulong)length), e.Size * (ulong)length, e.Align, false, TypeCategory.Struct);
        }
        var fields = new Dictionary<string, (int, ulong, ITypeSymbol)>();
        var members = new List<LType>();
        ulong offset = 0;
        uint align = 1;
        foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
        {
            (LType Memory, ulong Size, uint Align)? f = FieldStorage(field, out why);
            if (f is not var (fieldMemory, fieldSize, naturalAlign)) return null;
            // Pack caps each field's alignment (and the struct's), as the CLR's sequential layout does.
            uint fieldAlign = pack > 0 ? Math.Min(naturalAlign, (uint)pack) : naturalAlign;
            ulong aligned = (offset + fieldAlign - 1) / fieldAlign * fieldAlign;
            if (aligned != offset)
            {
                // Explicit padding keeps LLVM's layout equal to the CLR's sequential layout byte for byte.
                members.Add(llvm.Array(llvm.I8, aligned - offset));
            }
            fields[field.Name] = (members.Count, aligned, field.Type);
            members.Add(fieldMemory);
            offset = aligned + fieldSize;
            align = Math.Max(align, fieldAlign);
        }
        ulong size = Math.Max(1, (offset + align - 1) / align * align);
        // [StructLayout(Size = n)] only ever grows the struct, and the CLR does not round it to the alignment.
        size = Math.Max(size, (ulong)Math.Max(0, minimumSize));
        if (size != offset) members.Add(llvm.Array(llvm.I8, size - offset));
        LType memory = llvm.Struct(members.ToArray(), packed: true);
        return new TypeLayout(memory, size, align, false, TypeCategory.Struct) { Fields = fields };
    }
}
