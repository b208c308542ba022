using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// User-defined operators and conversions declared in the project (`static S operator +(S a, S b)`,
// `implicit operator long(S s)`, `operator ++`, `operator true`) are calls of their BPF functions, as C#
// compiles them. Compound assignments (`a += b`) call the operator and assign its result; `x++` with a
// user-defined `++` keeps the old value (a copy, for structs) when the result is used.
internal sealed partial class FunctionLowering
{
    private LValue EmitUserBinary(IBinaryOperation binary, IMethodSymbol method)
    {
        Location at = binary.Syntax.GetLocation();
        if (binary.IsLifted) throw Unsupported(at, "a lifted (nullable) user-defined operator", "nullable value types are not BPF data");
        if (binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
            throw Unsupported(at, "a user-defined short-circuiting operator (&& or || through operator true/false)", "call the operator methods explicitly");
        LValue left = EmitOperand(method.Parameters[0], binary.LeftOperand, at);
        LValue right = EmitOperand(method.Parameters[1], binary.RightOperand, at);
        return ConvertResult(CallFunction(method, null, [left, right], binary.Syntax, at), method, binary.Type, at);
    }

    private LValue EmitUserUnary(IUnaryOperation unary, IMethodSymbol method)
    {
        Location at = unary.Syntax.GetLocation();
        if (unary.IsLifted) throw Unsupported(at, "a lifted (nullable) user-defined operator", "nullable value types are not BPF data");
        LValue operand = EmitOperand(method.Parameters[0], unary.Operand, at);
        return ConvertResult(CallFunction(method, null, [operand], unary.Syntax, at), method, unary.Type, at);
    }

    /// <summary>A user-defined conversion: the operand converted to the operator's parameter type, the call, and
    /// its result converted to the target type (C#'s standard conversions around a user-defined one).</summary>
    private LValue EmitUserConversion(IConversionOperation conversion, IMethodSymbol method)
    {
        Location at = conversion.Syntax.GetLocation();
        if (conversion.Conversion.IsNullable || method.Parameters.Length != 1)
            throw Unsupported(at, "a lifted (nullable) user-defined conversion", "nullable value types are not BPF data");
        LValue operand = EmitOperand(method.Parameters[0], conversion.Operand, at);
        return ConvertResult(CallFunction(method, null, [operand], conversion.Syntax, at), method, conversion.Type, at);
    }

    private LValue ConvertResult(LValue result, IMethodSymbol method, ITypeSymbol? to, Location at) =>
        to is null || method.ReturnsVoid || SymbolEqualityComparer.Default.Equals(method.ReturnType, to) ? result : ConvertInteger(result, method.ReturnType, to, at);

    /// <summary><c>a op= b</c> with a user-defined operator: <c>a = op(a, b)</c> (a static operator), or the
    /// instance operator called on <c>a</c> itself (C# 14's <c>void operator +=(T b)</c>).</summary>
    private LValue EmitUserCompoundAssignment(ICompoundAssignmentOperation compound, IMethodSymbol method)
    {
        Location at = compound.Syntax.GetLocation();
        if (compound.IsLifted) throw Unsupported(at, "a lifted (nullable) user-defined operator", "nullable value types are not BPF data");
        ITypeSymbol targetType = compound.Target.Type!;
        if (!method.IsStatic)
        {
            LValue receiver = EmitAddress(compound.Target);
            LValue argument = EmitOperand(method.Parameters[0], compound.Value, at);
            CallFunction(method, receiver, [argument], compound.Syntax, at);
            return LoadFrom(targetType, receiver, at);
        }
        (Func<LValue> load, Action<LValue> store) = LvalueAccessors(compound.Target, at);
        LValue current = load();
        if (compound.InConversion.Exists && !compound.InConversion.IsIdentity)
            current = ConvertInteger(current, targetType, method.Parameters[0].Type, at);
        LValue right = EmitOperand(method.Parameters[1], compound.Value, at);
        LValue result = CallFunction(method, null, [current, right], compound.Syntax, at);
        result = ConvertResult(result, method, targetType, at);
        store(result);
        return result;
    }

    /// <summary><c>x++</c>, <c>--x</c> with a user-defined operator: <c>x = op(x)</c>; the expression is the old
    /// value (postfix) or the new one (prefix).</summary>
    private LValue EmitUserIncrement(IIncrementOrDecrementOperation increment, IMethodSymbol method)
    {
        Location at = increment.Syntax.GetLocation();
        if (increment.IsLifted) throw Unsupported(at, "a lifted (nullable) user-defined operator", "nullable value types are not BPF data");
        ITypeSymbol type = increment.Target.Type!;
        TypeLayout layout = _module.LayoutOf(type, at);
        (Func<LValue> load, Action<LValue> store) = LvalueAccessors(increment.Target, at);
        LValue old = load();
        if (layout.Category == TypeCategory.Struct && increment.IsPostfix)
        {
            // The old value outlives the store below: copy it out of the variable.
            LValue copy = Alloca(layout.Memory, "old", StackAlign(layout));
            StoreScalar(layout, old, copy);
            old = copy;
        }
        LValue updated = ConvertResult(CallFunction(method, null, [old], increment.Syntax, at), method, type, at);
        store(updated);
        return increment.IsPostfix ? old : updated;
    }
}
