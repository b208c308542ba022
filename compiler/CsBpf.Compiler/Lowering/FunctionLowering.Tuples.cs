using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Value tuples and deconstruction. A tuple is a struct of its elements (TypeMapper.Tuples: a value only, its
// layout never observable). Deconstruction `(a, b) = value` follows C#'s order: the targets' variables first
// (receivers, indexes), then the value and every Deconstruct call it needs (nested ones included), then the
// assignments left to right, each converted to its target's type; `_` targets are skipped. Element values that are
// structs are copied first, so `(x, y) = (y, x)` swaps.
internal sealed partial class FunctionLowering
{
    /// <summary>A deconstruction target: a variable's store, a discard (no store) or a nested tuple of targets.</summary>
    private sealed record DeconstructionTarget(Action<LValue>? Store, ITypeSymbol? Type, List<DeconstructionTarget>? Nested);

    /// <summary>A value with its C# type (a struct as the address of a private copy).</summary>
    private readonly record struct TypedValue(LValue Value, ITypeSymbol Type);

    /// <summary><c>(a, b)</c>: a temporary of the tuple's type with each element stored.</summary>
    private LValue EmitTuple(ITupleOperation tuple) =>
        BuildTuple(tuple.Type ?? throw Unsupported(tuple.Syntax.GetLocation(), "a tuple without a type", "give its elements types, e.g. ((byte)0, 1)"),
            tuple.Elements, tuple.Syntax.GetLocation());

    private LValue BuildTuple(ITypeSymbol type, IReadOnlyList<IOperation> elements, Location at)
    {
        TypeLayout layout = _module.LayoutOf(type, at);
        LValue temp = Alloca(layout.Memory, "tuple", StackAlign(layout));
        ITypeSymbol[] elementTypes = TupleElementTypes(type);
        for (int i = 0; i < elements.Count; i++)
        {
            IOperation element = elements[i];
            LValue value = ConvertValue(EmitValue(element), element.Type ?? elementTypes[i], elementTypes[i], element.Syntax.GetLocation());
            StoreTo(elementTypes[i], value, ElementAddress(type, temp, i, at), at);
        }
        return temp;
    }

    private static ITypeSymbol[] TupleElementTypes(ITypeSymbol tuple) =>
        [.. ((INamedTypeSymbol)tuple).TupleElements.Select(e => e.Type)];

    private LValue ElementAddress(ITypeSymbol tuple, LValue address, int index, Location at)
    {
        TypeLayout layout = _module.LayoutOf(tuple, at);
        var field = layout.Fields!["Item" + (index + 1)];
        return _llvm.StructGep(layout.Memory, address, field.Index);
    }

    /// <summary>A conversion between tuple types: the same storage when only element names differ, else each
    /// element converted (a tuple literal is built in the target type directly).</summary>
    private LValue EmitTupleConversion(IConversionOperation conversion)
    {
        Location at = conversion.Syntax.GetLocation();
        if (conversion.Operand is ITupleOperation literal) return BuildTuple(conversion.Type!, literal.Elements, at);
        return ConvertValue(EmitValue(conversion.Operand), conversion.Operand.Type!, conversion.Type!, at);
    }

    /// <summary>C#'s implicit conversion of a value: identity, tuples element by element, integers.</summary>
    private LValue ConvertValue(LValue value, ITypeSymbol from, ITypeSymbol to, Location at)
    {
        if (SymbolEqualityComparer.Default.Equals(from, to)) return value;
        if (TypeMapper.IsTuple(from) && TypeMapper.IsTuple(to))
        {
            ITypeSymbol[] fromTypes = TupleElementTypes(from), toTypes = TupleElementTypes(to);
            if (fromTypes.SequenceEqual(toTypes, SymbolEqualityComparer.Default)) return value; // names differ only
            TypeLayout layout = _module.LayoutOf(to, at);
            LValue temp = Alloca(layout.Memory, "tuple", StackAlign(layout));
            for (int i = 0; i < toTypes.Length; i++)
            {
                LValue element = LoadFrom(fromTypes[i], ElementAddress(from, value, i, at), at);
                StoreTo(toTypes[i], ConvertValue(element, fromTypes[i], toTypes[i], at), ElementAddress(to, temp, i, at), at);
            }
            return temp;
        }
        if (_module.LayoutOf(from, at).Category == TypeCategory.Struct || _module.LayoutOf(to, at).Category == TypeCategory.Struct)
            throw Unsupported(at, $"the conversion from '{from}' to '{to}'");
        return ConvertInteger(value, from, to, at);
    }

    private LValue EmitDeconstruction(IDeconstructionAssignmentOperation deconstruction)
    {
        Location at = deconstruction.Syntax.GetLocation();
        if (deconstruction.Parent is not (null or IExpressionStatementOperation))
            throw Unsupported(at, "the value of a deconstruction", "use the deconstruction as a statement");
        if (deconstruction.Syntax is not AssignmentExpressionSyntax syntax)
            throw Unsupported(at, "this deconstruction", "write it as an assignment, e.g. var (a, b) = value;");
        DeconstructionInfo info = ModelFor(syntax).GetDeconstructionInfo(syntax);

        // 1. The targets' variables, left to right.
        DeconstructionTarget targets = TargetOf(deconstruction.Target, at);
        // 2. The value, and every Deconstruct call down to the leaves.
        var leaves = new List<(DeconstructionTarget Target, TypedValue Value)>();
        IOperation value = deconstruction.Value;
        while (value is IConversionOperation { Operand: ITupleOperation } c && TypeMapper.IsTuple(c.Type!)) value = c.Operand;
        if (value is ITupleOperation literal)
        {
            if (targets.Nested is null || targets.Nested.Count != literal.Elements.Length) throw Unsupported(at, "this deconstruction");
            TypedValue[] parts = [.. literal.Elements.Select(Copied)];
            for (int i = 0; i < parts.Length; i++) Flatten(targets.Nested[i], parts[i], NestedInfo(info, i), leaves, at);
        }
        else
        {
            Flatten(targets, Copied(value), info, leaves, at);
        }
        // 3. The assignments, left to right.
        foreach (var (target, part) in leaves)
            target.Store?.Invoke(ConvertValue(part.Value, part.Type, target.Type!, at));
        return default;
    }

    private SemanticModel ModelFor(SyntaxNode syntax) =>
        _semanticModel is { } model && model.SyntaxTree == syntax.SyntaxTree ? model : _module.Compilation.GetSemanticModel(syntax.SyntaxTree);

    private static DeconstructionInfo NestedInfo(DeconstructionInfo info, int index) =>
        index < info.Nested.Length ? info.Nested[index] : default;

    private DeconstructionTarget TargetOf(IOperation target, Location at)
    {
        switch (target)
        {
            case IDeclarationExpressionOperation { Expression: ITupleOperation tuple }:
                return TargetOf(tuple, at);
            case ITupleOperation tuple:
                return new DeconstructionTarget(null, tuple.Type, [.. tuple.Elements.Select(e => TargetOf(e, at))]);
            case IDiscardOperation discard:
                return new DeconstructionTarget(null, discard.Type, null);
            default:
                return new DeconstructionTarget(LvalueAccessors(target, at).Store, target.Type, null);
        }
    }

    /// <summary>An element value, copied when it is a struct (later stores must not change it).</summary>
    private TypedValue Copied(IOperation element)
    {
        Location at = element.Syntax.GetLocation();
        ITypeSymbol type = element.Type ?? throw Unsupported(at, $"'{element.Syntax}' in a deconstruction", "give it a type");
        return Copied(EmitValue(element), type, at);
    }

    private TypedValue Copied(LValue value, ITypeSymbol type, Location at)
    {
        TypeLayout layout = _module.LayoutOf(type, at);
        if (layout.Category != TypeCategory.Struct) return new TypedValue(value, type);
        LValue copy = Alloca(layout.Memory, "part", StackAlign(layout));
        StoreScalar(layout, value, copy);
        return new TypedValue(copy, type);
    }

    private void Flatten(DeconstructionTarget target, TypedValue value, DeconstructionInfo info, List<(DeconstructionTarget, TypedValue)> leaves, Location at)
    {
        if (target.Nested is null)
        {
            leaves.Add((target, value));
            return;
        }
        TypedValue[] parts = Deconstruct(value, info, target.Nested.Count, at);
        for (int i = 0; i < parts.Length; i++) Flatten(target.Nested[i], parts[i], NestedInfo(info, i), leaves, at);
    }

    /// <summary>The parts of a value: a tuple's elements, or the out arguments of its Deconstruct method (an
    /// instance method of the struct or an extension method, with source in the project).</summary>
    private TypedValue[] Deconstruct(TypedValue value, DeconstructionInfo info, int count, Location at)
    {
        if (info.Method is not { } method)
        {
            if (!TypeMapper.IsTuple(value.Type)) throw Unsupported(at, $"deconstructing '{value.Type}'", "give the type a Deconstruct method");
            ITypeSymbol[] types = TupleElementTypes(value.Type);
            return [.. types.Select((t, i) => Copied(LoadFrom(t, ElementAddress(value.Type, value.Value, i, at), at), t, at))];
        }
        bool extension = method.IsStatic;
        IParameterSymbol[] outs = [.. method.Parameters.Skip(extension ? 1 : 0)];
        if (outs.Length != count || outs.Any(p => p.RefKind != RefKind.Out)) throw Unsupported(at, $"the Deconstruct method '{method.ToDisplayString()}'");
        LValue[] slots = [.. outs.Select(p =>
        {
            TypeLayout layout = _module.LayoutOf(p.Type, at);
            return Alloca(layout.Memory, p.Name, StackAlign(layout));
        })];
        LValue receiver = value.Value;
        if (_module.LayoutOf(value.Type, at).Category != TypeCategory.Struct)
        {
            TypeLayout scalar = _module.LayoutOf(value.Type, at);
            receiver = Alloca(scalar.Memory, "receiver", scalar.Align);
            StoreScalar(scalar, value.Value, receiver);
        }
        if (extension)
        {
            // this T / in T / ref T: the value (a private copy already) or its address.
            LValue self = method.Parameters[0].RefKind != RefKind.None ? receiver : value.Value;
            CallFunction(method, null, [self, .. slots], null, at);
        }
        else
        {
            CallFunction(method, receiver, slots, null, at);
        }
        return [.. outs.Select((p, i) => new TypedValue(LoadFrom(p.Type, slots[i], at), p.Type))];
    }

    /// <summary><c>t1 == t2</c>, <c>t1 != t2</c> on tuples: element by element (elements of the same types).</summary>
    private LValue EmitTupleBinary(ITupleBinaryOperation binary)
    {
        Location at = binary.Syntax.GetLocation();
        if (binary.OperatorKind is not (BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals))
            throw Unsupported(at, $"the tuple operator {binary.OperatorKind}");
        LValue equal = TupleEquals(Parts(binary.LeftOperand, at), Parts(binary.RightOperand, at), at);
        return binary.OperatorKind == BinaryOperatorKind.Equals ? equal : _llvm.Not(equal);
    }

    private TypedValue[] Parts(IOperation tuple, Location at)
    {
        while (tuple is IConversionOperation { IsImplicit: true } c && c.Operand is ITupleOperation) tuple = c.Operand;
        if (tuple is ITupleOperation literal) return [.. literal.Elements.Select(Copied)];
        return Deconstruct(Copied(tuple), default, TupleElementTypes(tuple.Type!).Length, at);
    }

    private LValue TupleEquals(TypedValue[] left, TypedValue[] right, Location at)
    {
        LValue all = _llvm.ConstInt(_llvm.I1, 1);
        for (int i = 0; i < left.Length; i++)
        {
            var (l, r) = (left[i], right[i]);
            LValue same;
            if (TypeMapper.IsTuple(l.Type) && TypeMapper.IsTuple(r.Type))
                same = TupleEquals(Deconstruct(l, default, TupleElementTypes(l.Type).Length, at), Deconstruct(r, default, TupleElementTypes(r.Type).Length, at), at);
            else if (SymbolEqualityComparer.Default.Equals(l.Type, r.Type) && _module.LayoutOf(l.Type, at).Category is TypeCategory.Integer or TypeCategory.Boolean or TypeCategory.Pointer)
                same = _llvm.ICmp(IntPredicate.Eq, l.Value, r.Value);
            else
                throw Unsupported(at, $"comparing a '{l.Type}' with a '{r.Type}' in a tuple", "compare elements of the same integer type, or compare them one by one");
            all = _llvm.Binary(BinaryOpcode.And, all, same);
        }
        return all;
    }
}
