using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Types;

// Value tuples, `(uint pid, ulong ts)`: ValueTuple<T1..T7> is [StructLayout(LayoutKind.Auto)], so the CLR chooses
// where each element goes and no program may depend on it. BPF code uses tuples as values only — locals,
// parameters, results, deconstruction — laid out as Item1..ItemN in order; every place a layout could be observed
// is refused: a tuple as (part of) a map key or value or a struct field, a pointer to one, sizeof, spans and
// stackalloc of tuples.
internal sealed partial class TypeMapper
{
    /// <summary>True for a value tuple type (named or not).</summary>
    public static bool IsTuple(ITypeSymbol type) => type is INamedTypeSymbol { IsTupleType: true };

    /// <summary>Why a tuple's layout would be observable here, for the places that refuse tuples.</summary>
    public const string TupleLayoutIsTheClrs =
        "a value tuple has the CLR's automatic layout (ValueTuple is LayoutKind.Auto), which BPF code cannot reproduce; use a struct with named fields";

    private TypeLayout? TupleLayout(INamedTypeSymbol tuple, out string? why)
    {
        why = null;
        INamedTypeSymbol underlying = tuple.TupleUnderlyingType ?? tuple;
        if (underlying.TypeArguments.Length > 7)
        {
            why = "tuples of more than 7 elements are nested ValueTuples; use a struct";
            return null;
        }
        var fields = new Dictionary<string, (int, ulong, ITypeSymbol)>();
        var members = new List<LType>();
        ulong offset = 0;
        uint align = 1;
        for (int i = 0; i < underlying.TypeArguments.Length; i++)
        {
            ITypeSymbol element = underlying.TypeArguments[i];
            if (IsTuple(element))
            {
                why = "a tuple inside a tuple; use a struct";
                return null;
            }
            TypeLayout? e = TryGetLayout(element, out why);
            if (e is null) return null;
            ulong aligned = (offset + e.Align - 1) / e.Align * e.Align;
            if (aligned != offset) members.Add(llvm.Array(llvm.I8, aligned - offset));
            fields["Item" + (i + 1)] = (members.Count, aligned, element);
            members.Add(e.Memory);
            offset = aligned + e.Size;
            align = Math.Max(align, e.Align);
        }
        ulong size = Math.Max(1, (offset + align - 1) / align * align);
        if (size != offset) members.Add(llvm.Array(llvm.I8, size - offset));
        return new TypeLayout(llvm.Struct(members.ToArray(), packed: true), size, align, false, TypeCategory.Struct) { Fields = fields };
    }
}
