using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// foreach over Span<T>/ReadOnlySpan<T> (and over inline arrays, which C# converts to a span first). Roslyn's
// CFG lowers foreach to the enumerator pattern: GetEnumerator(), MoveNext() in the loop condition, Current for
// the loop variable (a ref for `foreach (ref var x in span)`), and Dispose() in a finally region (the .NET 10
// span enumerators implement IDisposable). The enumerator is a (reference, length, index) triple on the stack,
// MoveNext is `++index < length` as in the BCL, Current needs no check (MoveNext proved it), and Dispose does
// nothing, so the finally region is never entered: branches that leave the loop go straight to their target.
internal sealed partial class FunctionLowering
{
    private const int EnumeratorReference = 0, EnumeratorLength = 1, EnumeratorIndex = 2;

    /// <summary>A foreach the CFG can lower: its collection is a span or an inline array (which the CFG converts to a span).</summary>
    private static bool IsSpanForeach(IForEachLoopOperation loop) =>
        !loop.IsAsynchronous && loop.Collection.Type is { } t
        && (TypeMapper.SpanElementType(t) is not null || t is INamedTypeSymbol named && TypeMapper.InlineArrayLength(named) is not null);

    /// <summary>GetEnumerator, MoveNext and Dispose of span enumerators; null for other calls.</summary>
    private LValue? EmitSpanEnumeratorCall(IInvocationOperation invocation, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        ITypeSymbol? instanceType = invocation.Instance?.Type;
        if (instanceType is null) return null;
        if (target.Name == "GetEnumerator" && TypeMapper.SpanElementType(instanceType) is not null)
        {
            var (reference, length) = SpanParts(invocation.Instance!, at);
            TypeLayout layout = _module.LayoutOf(target.ReturnType, at);
            LValue enumerator = Alloca(layout.Memory, "enumerator", 8);
            _llvm.Store(reference, _llvm.StructGep(layout.Memory, enumerator, EnumeratorReference), 8);
            _llvm.Store(length, _llvm.StructGep(layout.Memory, enumerator, EnumeratorLength), 4);
            _llvm.Store(_llvm.ConstInt(_llvm.I32, ulong.MaxValue), _llvm.StructGep(layout.Memory, enumerator, EnumeratorIndex), 4);
            return enumerator;
        }
        if (TypeMapper.SpanEnumeratorElementType(instanceType) is null) return null;
        switch (target.Name)
        {
            case "MoveNext":
                {
                    TypeLayout layout = _module.LayoutOf(instanceType, at);
                    LValue enumerator = EmitAddress(invocation.Instance!);
                    LValue indexSlot = _llvm.StructGep(layout.Memory, enumerator, EnumeratorIndex);
                    LValue next = _llvm.Binary(BinaryOpcode.Add, _llvm.Load(_llvm.I32, indexSlot, 4), _llvm.ConstInt(_llvm.I32, 1));
                    LValue length = _llvm.Load(_llvm.I32, _llvm.StructGep(layout.Memory, enumerator, EnumeratorLength), 4);
                    LValue more = _llvm.ICmp(IntPredicate.Slt, next, length);
                    _llvm.Store(next, indexSlot, 4); // past the end only when the loop ends, where nothing reads it again
                    return more;
                }
            case "Dispose":
                return default(LValue);
            default:
                return null;
        }
    }

    /// <summary>The address of <c>Current</c> of a span enumerator, or null for other properties.</summary>
    private LValue? EmitSpanEnumeratorCurrent(IPropertyReferenceOperation property)
    {
        if (property.Property.Name != "Current" || property.Instance?.Type is not { } type
            || TypeMapper.SpanEnumeratorElementType(type) is not { } element) return null;
        Location at = property.Syntax.GetLocation();
        TypeLayout layout = _module.LayoutOf(type, at);
        LValue enumerator = EmitAddress(property.Instance);
        LValue reference = _llvm.Load(_llvm.Ptr, _llvm.StructGep(layout.Memory, enumerator, EnumeratorReference), 8);
        LValue index = _llvm.Load(_llvm.I32, _llvm.StructGep(layout.Memory, enumerator, EnumeratorIndex), 4);
        return OffsetPointer(reference, element, _llvm.Cast(CastOpcode.ZExt, index, _llvm.I64), at);
    }

    /// <summary>
    /// A block of a finally region that only disposes span enumerators: never entered (the branches that leave
    /// the try go to their destination directly). Any other finally would be a try/finally, refused up front.
    /// </summary>
    private bool IsNoOpFinallyBlock(BasicBlock block)
    {
        bool inFinally = false;
        for (ControlFlowRegion? r = block.EnclosingRegion; r is not null; r = r.EnclosingRegion)
            if (r.Kind == ControlFlowRegionKind.Finally) inFinally = true;
        if (!inFinally) return false;
        foreach (IOperation op in block.Operations)
            if (op is not IInvocationOperation { TargetMethod.Name: "Dispose", Instance.Type: { } t } || TypeMapper.SpanEnumeratorElementType(t) is null)
                throw Unsupported(op.Syntax.GetLocation(), "a finally block", "BPF has no exceptions; run the code on every path explicitly");
        return true;
    }
}
