using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Span indexes from the end (`s[^k]`), ranges (`s[a..b]`) and Slice(start[, length]): a new (reference, length)
// pair over the same memory. The checks are the CLR's — IndexOutOfRangeException for an index,
// ArgumentOutOfRangeException for a slice — as guards the optimiser must prove (CSBPF0019 otherwise).
internal sealed partial class FunctionLowering
{
    /// <summary><c>span[^k]</c> (an address) or <c>span[a..b]</c> (a span); null when the instance is not a span.</summary>
    private LValue? EmitSpanImplicitIndexer(IImplicitIndexerReferenceOperation indexer)
    {
        if (indexer.Instance.Type is not { } spanType || TypeMapper.SpanElementType(spanType) is not { } element) return null;
        Location at = indexer.Syntax.GetLocation();
        var (reference, length) = SpanParts(indexer.Instance, at);
        if (indexer.Argument.Type is { } argumentType && IsSystemType(argumentType, "Range"))
        {
            var (start, end) = EmitRange(indexer.Argument, length, at);
            return MakeSpan(indexer.Type!, OffsetPointer(reference, element, _llvm.Cast(CastOpcode.ZExt, start, _llvm.I64), at),
                _llvm.Binary(BinaryOpcode.Sub, end, start), at);
        }
        LValue index = EmitIndex(indexer.Argument, length, at);
        EmitIndexGuard(index, length, at, "The span index",
            "C# throws IndexOutOfRangeException there; test it first, e.g. if (k > 0 && k <= span.Length) ...");
        return OffsetPointer(reference, element, _llvm.Cast(CastOpcode.ZExt, index, _llvm.I64), at);
    }

    /// <summary><c>span.Slice(start)</c> and <c>span.Slice(start, length)</c>; null for other calls.</summary>
    private LValue? EmitSpanSlice(IInvocationOperation invocation, Location at)
    {
        if (invocation.TargetMethod.Name != "Slice" || invocation.Instance?.Type is not { } spanType
            || TypeMapper.SpanElementType(spanType) is not { } element) return null;
        var (reference, length) = SpanParts(invocation.Instance, at);
        LValue start = EmitValue(Argument(invocation, 0));
        LValue count;
        LValue bad;
        if (invocation.TargetMethod.Parameters.Length == 1)
        {
            // Slice(start): (uint)start > (uint)Length throws.
            bad = _llvm.ICmp(IntPredicate.Ugt, start, length);
            count = _llvm.Binary(BinaryOpcode.Sub, length, start);
        }
        else
        {
            // Slice(start, length): (ulong)(uint)start + (ulong)(uint)length > (ulong)(uint)Length throws.
            count = EmitValue(Argument(invocation, 1));
            LValue end = _llvm.Binary(BinaryOpcode.Add, _llvm.Cast(CastOpcode.ZExt, start, _llvm.I64), _llvm.Cast(CastOpcode.ZExt, count, _llvm.I64));
            bad = _llvm.ICmp(IntPredicate.Ugt, end, _llvm.Cast(CastOpcode.ZExt, length, _llvm.I64));
        }
        EmitGuard(bad, at, "The slice may be out of bounds",
            "C# throws ArgumentOutOfRangeException unless start + length <= span.Length; test the bounds first", BpfDiagnostics.SpanIndexOutOfRange);
        return MakeSpan(invocation.Type!, OffsetPointer(reference, element, _llvm.Cast(CastOpcode.ZExt, start, _llvm.I64), at), count, at);
    }
}
