using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Span<T>/ReadOnlySpan<T> over stackalloc: a (pointer, length) pair on the stack. Indexing is bounds-checked
// like C#: the check is a guard the optimiser must prove (a constant index, `i < s.Length`, a loop bound),
// or the compiler asks for it — C# would throw IndexOutOfRangeException where BPF cannot.
internal sealed partial class FunctionLowering
{
    private const int SpanReference = 0, SpanLength = 1;

    /// <summary><c>stackalloc T[N]</c> with a constant N: zeroed stack memory (C#'s default, and what the
    /// verifier wants before reads) wrapped in a span, or its address for a pointer.</summary>
    private LValue EmitStackAlloc(IOperation op)
    {
        Location at = op.Syntax.GetLocation();
        ITypeSymbol element = TypeMapper.SpanElementType(op.Type!) ?? (op.Type as IPointerTypeSymbol)?.PointedAtType
            ?? throw Unsupported(at, $"stackalloc as '{op.Type}'", "assign it to a Span<T> or a pointer");
        if (op.ChildOperations.FirstOrDefault() is not { ConstantValue: { HasValue: true, Value: int count } } || count <= 0)
            throw Unsupported(at, "stackalloc with a size that is not a positive constant", "BPF stack frames have a fixed size (512 bytes): use a constant");
        if (op.ChildOperations.Count > 1)
            throw Unsupported(at, "a stackalloc initializer", "assign the elements one by one");
        TypeLayout e = _module.LayoutOf(element, at);
        LValue storage = Alloca(_llvm.Array(e.Memory, (ulong)count), "stackalloc", Math.Max(e.Align, 8));
        _llvm.MemSet(storage, 0, e.Size * (ulong)count, Math.Max(e.Align, 8));
        if (op.Type is IPointerTypeSymbol) return storage; // T* p = stackalloc T[N]: zeroed too (C#'s localsinit)
        return MakeSpan(op.Type!, storage, _llvm.ConstInt(_llvm.I32, (ulong)count), at);
    }

    private LValue MakeSpan(ITypeSymbol spanType, LValue reference, LValue length, Location at)
    {
        TypeLayout layout = _module.LayoutOf(spanType, at);
        LValue span = Alloca(layout.Memory, "span", 8);
        _llvm.Store(reference, _llvm.StructGep(layout.Memory, span, SpanReference), 8);
        _llvm.Store(length, _llvm.StructGep(layout.Memory, span, SpanLength), 4);
        return span;
    }

    private (LValue Reference, LValue Length) SpanParts(IOperation spanOperation, Location at)
    {
        TypeLayout layout = _module.LayoutOf(spanOperation.Type!, at);
        LValue span = EmitAddress(spanOperation);
        return (_llvm.Load(_llvm.Ptr, _llvm.StructGep(layout.Memory, span, SpanReference), 8),
                _llvm.Load(_llvm.I32, _llvm.StructGep(layout.Memory, span, SpanLength), 4));
    }

    /// <summary>Span members: the indexer (an address) and Length; null when <paramref name="property"/> is not one.</summary>
    private LValue? EmitSpanProperty(IPropertyReferenceOperation property, bool address)
    {
        if (EmitSpanEnumeratorCurrent(property) is { } current)
            return address ? current : LoadFrom(property.Type!, current, property.Syntax.GetLocation());
        if (property.Instance is not { Type: { } spanType } instance || TypeMapper.SpanElementType(spanType) is not { } element) return null;
        Location at = property.Syntax.GetLocation();
        var (reference, length) = SpanParts(instance, at);
        if (property.Property.Name == "Length" && !address) return length;
        if (!property.Property.IsIndexer || property.Arguments.Length != 1 || property.Arguments[0].Value.Type?.SpecialType != SpecialType.System_Int32)
            throw Unsupported(at, $"Span member '{property.Property.Name}'", "use the int indexer and Length");
        LValue index = EmitValue(property.Arguments[0].Value);
        // (uint)index >= (uint)length covers negative indexes too, as the CLR's own check does.
        EmitGuard(_llvm.ICmp(IntPredicate.Uge, index, length), at, $"The index '{OperandText(property.Arguments[0].Value, at)}' may be out of range",
            "C# throws IndexOutOfRangeException there; test it first, e.g. if ((uint)i < (uint)span.Length) ...", BpfDiagnostics.SpanIndexOutOfRange);
        TypeLayout e = _module.LayoutOf(element, at);
        LValue elementAddress = _llvm.Gep(e.Memory, reference, [_llvm.Cast(CastOpcode.ZExt, index, _llvm.I64)]);
        return address ? elementAddress : LoadFrom(element, elementAddress, at);
    }

    private static bool IsStackAlloc(IOperation op) => op.Kind == OperationKind.None && op.Syntax is StackAllocArrayCreationExpressionSyntax;
}
