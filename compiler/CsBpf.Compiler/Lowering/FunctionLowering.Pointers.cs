using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Pointers, with C#'s meaning: `*p`, `p->f` and `p[i]` address memory at p + i * sizeof(T); `p + n`, `p - n`,
// `p++`, `p += n` scale by sizeof(T) and wrap around (a GEP without `inbounds`); `p - q` is the byte distance
// divided by sizeof(T), truncated toward zero (IL `sub; sizeof; div`); comparisons are unsigned. Pointers stay
// LLVM `ptr` values throughout — comparisons are `icmp` on pointers, never on integers — because the verifier
// learns packet bounds only from a `ptr cmp ptr` jump (kernel/bpf/verifier.c, find_good_pkt_pointers).
// Roslyn has no IOperation for indirection and pointer element access: both are OperationKind.None nodes,
// told apart by their shape (below). Fixed buffers (`fixed byte Name[16]`) decay to a pointer to their first
// element; indexing one directly is bounds-checked against its length (FunctionLowering.FixedBuffers.cs).
internal sealed partial class FunctionLowering
{
    /// <summary>
    /// The pointer forms Roslyn leaves as <see cref="OperationKind.None"/>: indirection (<c>*p</c>, the
    /// instance of <c>p-&gt;f</c>), element access (<c>p[i]</c>) and the pinned value of a <c>fixed</c>
    /// declarator. Returns false for any other None node.
    /// </summary>
    private bool TryEmitPointerOperation(IOperation op, bool address, out LValue result)
    {
        result = default;
        if (op.Kind != OperationKind.None || op.Type is null || IsStackAlloc(op)) return false;
        IOperation[] children = [.. op.ChildOperations];
        Location at = op.Syntax.GetLocation();
        if (children.Length == 1 && children[0].Type is IPointerTypeSymbol pointerType
            && SymbolEqualityComparer.Default.Equals(pointerType.PointedAtType, op.Type))
        {
            // *p and the instance of p->f: the pointer is the address.
            LValue pointer = EmitValue(children[0]);
            result = address ? pointer : LoadFrom(op.Type, pointer, at);
            return true;
        }
        if (children.Length == 2 && children[0].Type is IPointerTypeSymbol elementPointer
            && SymbolEqualityComparer.Default.Equals(elementPointer.PointedAtType, op.Type)
            && op.Syntax is ElementAccessExpressionSyntax)
        {
            LValue elementAddress = EmitPointerElement(children[0], children[1], at);
            result = address ? elementAddress : LoadFrom(op.Type, elementAddress, at);
            return true;
        }
        if (children.Length == 1 && op.Type is IPointerTypeSymbol && IsFixedDeclaratorValue(op))
        {
            // The value a `fixed` statement pins. Stack memory never moves, so pinning is a no-op.
            IOperation pinned = children[0];
            if (pinned.Type is IPointerTypeSymbol)
            {
                // fixed (T* p = &x), fixed (T* p = s.FixedBuffer): already the address.
                result = EmitValue(pinned);
                return true;
            }
            if (pinned.Type is { } spanType && TypeMapper.SpanElementType(spanType) is not null)
            {
                // fixed (T* p = span): GetPinnableReference, null for an empty span (as the CLR gives).
                var (reference, length) = SpanParts(pinned, at);
                LValue empty = _llvm.ICmp(IntPredicate.Eq, length, _llvm.ConstInt(_llvm.I32, 0));
                result = _llvm.Select(empty, _llvm.ConstNull(_llvm.Ptr), reference);
                return true;
            }
            throw Unsupported(at, $"fixed on '{pinned.Type}'", "BPF memory does not move: fix a span, a fixed buffer or the address of a variable");
        }
        return false;
    }

    /// <summary>The address of <c>p[i]</c>: p + i * sizeof(T), wrapping; an index into a fixed buffer of a
    /// struct is bounds-checked first (C# does not, but an out-of-range index would corrupt memory on the CLR
    /// and is refused by the verifier on the stack).</summary>
    private LValue EmitPointerElement(IOperation pointerOperand, IOperation indexOperand, Location at)
    {
        int? fixedLength = FixedBufferLength(pointerOperand);
        LValue pointer = EmitValue(pointerOperand);
        LValue index = EmitPointerIndex(indexOperand, at);
        if (fixedLength is int length)
            EmitGuard(_llvm.ICmp(IntPredicate.Uge, index, _llvm.ConstInt(_llvm.I64, (ulong)length)), at,
                "The fixed buffer index may be out of range",
                $"C# does not check fixed buffer indexes, so an index outside the {length} elements corrupts memory on the CLR and the verifier rejects it; test it first, e.g. if ((uint)i < {length}) ...", BpfDiagnostics.SpanIndexOutOfRange);
        ITypeSymbol element = ((IPointerTypeSymbol)pointerOperand.Type!).PointedAtType;
        return OffsetPointer(pointer, element, index, at);
    }

    /// <summary>An index or offset operand widened to 64 bits by its own signedness, as C# converts it to
    /// native int (int, long) or native uint (uint, ulong) before scaling.</summary>
    private LValue EmitPointerIndex(IOperation indexOperand, Location at)
    {
        LValue index = EmitValue(indexOperand);
        TypeLayout layout = _module.LayoutOf(indexOperand.Type!, at);
        if (layout.Category != TypeCategory.Integer) throw Unsupported(at, $"a pointer offset of type '{indexOperand.Type}'");
        return layout.Size < 8 ? _llvm.Cast(layout.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, index, _llvm.I64) : index;
    }

    /// <summary><paramref name="pointer"/> + <paramref name="index64"/> * sizeof(<paramref name="element"/>),
    /// modulo 2^64 (no <c>inbounds</c>: C# pointer arithmetic wraps). A pointer known to be under-aligned
    /// (into a packed struct) stays so.</summary>
    private LValue OffsetPointer(LValue pointer, ITypeSymbol element, LValue index64, Location at)
    {
        if (element.SpecialType == SpecialType.System_Void)
            throw Unsupported(at, "arithmetic on void*", "cast to byte* first");
        TypeLayout e = _module.LayoutOf(element, at);
        LValue result = e.Size == 1 ? _llvm.Gep(_llvm.I8, pointer, [index64])
            : _llvm.Gep(_llvm.I8, pointer, [_llvm.Binary(BinaryOpcode.Mul, index64, _llvm.ConstInt(_llvm.I64, e.Size))]);
        if (_addressAlign.TryGetValue(pointer, out uint known))
            _addressAlign[result] = TypeMapper.FieldAlignment(known, known, e.Size);
        return result;
    }

    /// <summary>
    /// Pointer arithmetic of a binary operator: <c>p ± n</c>, <c>n + p</c> and <c>p - q</c>; null for
    /// everything else (comparisons of pointers are ordinary unsigned <c>icmp</c>s on <c>ptr</c> operands).
    /// </summary>
    private LValue? EmitPointerBinary(IBinaryOperation binary)
    {
        ITypeSymbol? left = binary.LeftOperand.Type, right = binary.RightOperand.Type;
        if (left is not IPointerTypeSymbol && right is not IPointerTypeSymbol) return null;
        if (binary.OperatorKind is not (BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)) return null;
        Location at = binary.Syntax.GetLocation();
        if (binary.IsChecked)
            throw Unsupported(at, "checked pointer arithmetic", "BPF has no overflow traps; use unchecked pointer arithmetic");
        if (left is IPointerTypeSymbol lp && right is IPointerTypeSymbol)
        {
            // p - q: (long)(p - q) / sizeof(T), truncating toward zero like the IL `div` C# emits.
            LValue l = _llvm.Cast(CastOpcode.PtrToInt, EmitValue(binary.LeftOperand), _llvm.I64);
            LValue r = _llvm.Cast(CastOpcode.PtrToInt, EmitValue(binary.RightOperand), _llvm.I64);
            LValue bytes = _llvm.Binary(BinaryOpcode.Sub, l, r);
            ulong size = _module.LayoutOf(lp.PointedAtType, at).Size;
            LValue difference = size == 1 ? bytes : EmitDivision(BinaryOperatorKind.Divide, bytes, _llvm.ConstInt(_llvm.I64, size), signed: true, at, rightOperand: null);
            return ConvertInteger(difference, _module.Compilation.GetSpecialType(SpecialType.System_Int64), binary.Type!, at);
        }
        bool pointerOnLeft = left is IPointerTypeSymbol;
        IOperation pointerOperand = pointerOnLeft ? binary.LeftOperand : binary.RightOperand;
        IOperation offsetOperand = pointerOnLeft ? binary.RightOperand : binary.LeftOperand;
        LValue pointer = EmitValue(pointerOperand);
        LValue offset = EmitPointerIndex(offsetOperand, at);
        if (binary.OperatorKind == BinaryOperatorKind.Subtract) offset = _llvm.Neg(offset);
        return OffsetPointer(pointer, ((IPointerTypeSymbol)pointerOperand.Type!).PointedAtType, offset, at);
    }

    /// <summary><c>p += n</c>, <c>p -= n</c>.</summary>
    private LValue EmitPointerCompoundAssignment(ICompoundAssignmentOperation compound)
    {
        Location at = compound.Syntax.GetLocation();
        if (compound.OperatorKind is not (BinaryOperatorKind.Add or BinaryOperatorKind.Subtract))
            throw Unsupported(at, $"the operator {compound.OperatorKind} on a pointer");
        if (compound.IsChecked) throw Unsupported(at, "checked pointer arithmetic", "BPF has no overflow traps; use unchecked pointer arithmetic");
        var pointerType = (IPointerTypeSymbol)compound.Target.Type!;
        LValue address = EmitAddress(compound.Target);
        LValue current = _llvm.Load(_llvm.Ptr, address, 8);
        LValue offset = EmitPointerIndex(compound.Value, at);
        if (compound.OperatorKind == BinaryOperatorKind.Subtract) offset = _llvm.Neg(offset);
        LValue result = OffsetPointer(current, pointerType.PointedAtType, offset, at);
        _llvm.Store(result, address, 8);
        return result;
    }

    /// <summary><c>p++</c>, <c>--p</c>: one element forward or back.</summary>
    private LValue EmitPointerIncrement(IIncrementOrDecrementOperation increment)
    {
        Location at = increment.Syntax.GetLocation();
        var pointerType = (IPointerTypeSymbol)increment.Target.Type!;
        LValue address = EmitAddress(increment.Target);
        LValue old = _llvm.Load(_llvm.Ptr, address, 8);
        LValue step = _llvm.ConstInt(_llvm.I64, increment.Kind == OperationKind.Increment ? 1UL : ulong.MaxValue);
        LValue updated = OffsetPointer(old, pointerType.PointedAtType, step, at);
        _llvm.Store(updated, address, 8);
        return increment.IsPostfix ? old : updated;
    }

    /// <summary>True for the value of a <c>fixed</c> statement's declarator (the CFG wraps it in a None node).</summary>
    private static bool IsFixedDeclaratorValue(IOperation op) =>
        op.Syntax.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: FixedStatementSyntax } } };
}
