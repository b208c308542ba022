using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// [InlineArray(N)] structs: element access with a constant, variable or from-end (^k) index, bounds-checked
// like C# (which throws IndexOutOfRangeException): the check is a guard the optimiser must prove, or the
// compiler asks for it. Slices with a range (arr[a..b]) and conversions to Span<T>/ReadOnlySpan<T> make a span
// over the array's own storage, so spans, foreach and span-taking methods work on inline arrays.
internal sealed partial class FunctionLowering
{
    /// <summary>The address of an inline array element, or a span for a range.</summary>
    private LValue EmitInlineArrayAccess(IInlineArrayAccessOperation access)
    {
        Location at = access.Syntax.GetLocation();
        var arrayType = (INamedTypeSymbol)access.Instance.Type!;
        int length = TypeMapper.InlineArrayLength(arrayType) ?? throw Unsupported(at, $"indexing '{arrayType}'");
        ITypeSymbol element = arrayType.GetMembers().OfType<IFieldSymbol>().Single(f => !f.IsStatic).Type;
        LValue storage = EmitAddress(access.Instance);
        LValue count = _llvm.ConstInt(_llvm.I32, (ulong)length);
        if (access.Argument.Type is { } argumentType && IsSystemType(argumentType, "Range"))
        {
            var (start, end) = EmitRange(access.Argument, count, at);
            return MakeSpan(access.Type!, OffsetPointer(storage, element, _llvm.Cast(CastOpcode.ZExt, start, _llvm.I64), at),
                _llvm.Binary(BinaryOpcode.Sub, end, start), at);
        }
        LValue index = EmitIndex(access.Argument, count, at);
        EmitIndexGuard(index, count, at, "The inline array index",
            $"C# throws IndexOutOfRangeException there; test it first, e.g. if ((uint)i < {length}) ...");
        return OffsetPointer(storage, element, _llvm.Cast(CastOpcode.ZExt, index, _llvm.I64), at);
    }

    /// <summary>An <c>int</c> index, or a <c>System.Index</c> (<c>^k</c> counts from <paramref name="length"/>), as i32.</summary>
    private LValue EmitIndex(IOperation index, LValue length, Location at)
    {
        while (index is IConversionOperation { IsImplicit: true } c && c.Type is { } t && IsSystemType(t, "Index")) index = c.Operand;
        if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
        {
            LValue k = ConvertInteger(EmitValue(fromEnd.Operand), fromEnd.Operand.Type!, _module.Compilation.GetSpecialType(SpecialType.System_Int32), at);
            return _llvm.Binary(BinaryOpcode.Sub, length, k);
        }
        if (index.Type?.SpecialType != SpecialType.System_Int32)
            throw Unsupported(at, $"an index of type '{index.Type}'", "use an int index or ^k");
        return EmitValue(index);
    }

    /// <summary>The start and end of a range (<c>a..b</c>, either side optional or from the end), checked like
    /// C# (0 ≤ start ≤ end ≤ length, else ArgumentOutOfRangeException).</summary>
    private (LValue Start, LValue End) EmitRange(IOperation range, LValue length, Location at)
    {
        if (range is not IRangeOperation r) throw Unsupported(at, "a range that is not a literal a..b", "write the range in place");
        LValue start = r.LeftOperand is null ? _llvm.ConstInt(_llvm.I32, 0) : EmitIndex(r.LeftOperand, length, at);
        LValue end = r.RightOperand is null ? length : EmitIndex(r.RightOperand, length, at);
        LValue bad = _llvm.Binary(BinaryOpcode.Or, _llvm.ICmp(IntPredicate.Ugt, end, length), _llvm.ICmp(IntPredicate.Ugt, start, end));
        EmitGuard(bad, at, "The range may be out of bounds",
            "C# throws ArgumentOutOfRangeException unless 0 <= start <= end <= length; test the bounds first", BpfDiagnostics.SpanIndexOutOfRange);
        return (start, end);
    }

    /// <summary>The bounds check of an index: (uint)index >= (uint)length covers negative indexes too, as the CLR's own check does.</summary>
    private void EmitIndexGuard(LValue index, LValue length, Location at, string what, string fix) =>
        EmitGuard(_llvm.ICmp(IntPredicate.Uge, index, length), at, what + " may be out of range", fix, BpfDiagnostics.SpanIndexOutOfRange);

    /// <summary>An inline array converted to <c>Span&lt;T&gt;</c>/<c>ReadOnlySpan&lt;T&gt;</c>: a span over its storage; null for other conversions.</summary>
    private LValue? EmitInlineArrayToSpan(IConversionOperation conversion)
    {
        if (conversion.Operand.Type is not INamedTypeSymbol from || TypeMapper.InlineArrayLength(from) is not int length
            || conversion.Type is null || TypeMapper.SpanElementType(conversion.Type) is null) return null;
        Location at = conversion.Syntax.GetLocation();
        return MakeSpan(conversion.Type, EmitAddress(conversion.Operand), _llvm.ConstInt(_llvm.I32, (ulong)length), at);
    }

    private static bool IsSystemType(ITypeSymbol type, string name) =>
        type.Name == name && type.ContainingNamespace?.ToDisplayString() == "System";
}
