using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Calls of methods whose source is in the project (BPF-to-BPF calls, FunctionAbi): static methods of any
// type, extension methods, and instance members of structs — methods, property and indexer accessors,
// constructors. An instance member gets the receiver's address as `this`, so a mutating method changes the
// variable it is called on (a local, a map value behind a ref, a field), as in C#; where C# calls it on a
// copy instead — a readonly variable (an `in` parameter, a `ref readonly` local, a readonly field, a foreach
// variable, `this` in a readonly member) or a value that is not a variable — so does this lowering.
internal sealed partial class FunctionLowering
{
    /// <summary>The hidden parameters of this function (FunctionAbi): the struct result's destination and <c>this</c>.</summary>
    private LValue _result, _this;

    /// <summary>A call to a method with source in the project: the receiver (when an instance member), then
    /// the arguments, in C#'s order.</summary>
    private LValue EmitSourceCall(IInvocationOperation invocation, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        // Library methods, delegates, LINQ and virtual calls: the rule set's IDs (FunctionLowering.Rules.cs).
        if (!IsBpfCode(target) || target.IsVirtual || target.IsAbstract || target.IsOverride || target.ContainingType?.TypeKind is TypeKind.Interface or TypeKind.Delegate)
            throw UnsupportedCall(invocation, at);
        _module.CheckCallable(target, at);
        LValue? receiver = null;
        if (!target.IsStatic)
        {
            IOperation instance = invocation.Instance ?? throw Unsupported(at, $"the call to '{target.Name}' without a receiver");
            receiver = ReceiverFor(target, instance, EmitAddress(instance));
            if (target.MethodKind == MethodKind.Constructor && target.IsImplicitlyDeclared)
            {
                // `: this()` of a struct: the implicit parameterless constructor zeroes the instance.
                TypeLayout layout = _module.LayoutOf(target.ContainingType!, at);
                _llvm.MemSet(receiver.Value, 0, layout.Size, layout.Align);
                return receiver.Value;
            }
        }
        LValue[] args = EmitArguments(target, invocation.Arguments, at);
        return CallFunction(target, receiver, args, invocation.Syntax, at);
    }

    /// <summary>The arguments of a call in parameter order: addresses for ref/in/out parameters, values otherwise
    /// (a struct value as its address; <see cref="CallFunction"/> makes the callee's copy).</summary>
    private LValue[] EmitArguments(IMethodSymbol target, IEnumerable<IArgumentOperation> arguments, Location at)
    {
        var args = new LValue[target.Parameters.Length];
        foreach (IArgumentOperation arg in arguments)
        {
            IParameterSymbol p = arg.Parameter!;
            args[p.Ordinal] = p.RefKind != RefKind.None ? EmitAddress(arg.Value) : EmitValue(arg.Value);
        }
        return args;
    }

    /// <summary>The value of an operand passed to <paramref name="parameter"/> (operators and conversions, whose
    /// operands are not argument operations): converted to the parameter's type as C# does implicitly.</summary>
    private LValue EmitOperand(IParameterSymbol parameter, IOperation operand, Location at)
    {
        if (parameter.RefKind != RefKind.None) return EmitAddress(operand);
        LValue value = EmitValue(operand);
        return operand.Type is null || SymbolEqualityComparer.Default.Equals(operand.Type, parameter.Type) ? value : ConvertInteger(value, operand.Type, parameter.Type, at);
    }

    /// <summary>
    /// Calls the BPF function of <paramref name="target"/>: a struct result goes to a fresh temporary (returned as
    /// the value), <paramref name="receiver"/> is <c>this</c>, and each struct passed by value is copied first, so
    /// the callee has its own copy.
    /// </summary>
    private LValue CallFunction(IMethodSymbol target, LValue? receiver, LValue[] args, SyntaxNode? syntax, Location at)
    {
        (LValue fn, LType fnType) = _module.GetOrDeclareFunction(target, at);
        _module.RecordCall(_method, target, at);
        FunctionAbi abi = _module.AbiOf(target);
        var all = new List<LValue>(abi.FirstParameter + args.Length);
        LValue result = default;
        if (abi.ReturnsStruct)
        {
            TypeLayout layout = _module.LayoutOf(target.ReturnType, at);
            result = Alloca(layout.Memory, "result", StackAlign(layout));
            all.Add(result);
        }
        if (abi.HasThis) all.Add(receiver ?? throw Unsupported(at, $"the call to '{target.Name}' without a receiver"));
        for (int i = 0; i < args.Length; i++)
        {
            IParameterSymbol p = target.Parameters[i];
            LValue arg = args[i];
            if (arg.IsNull) throw Unsupported(at, $"the call to '{target.Name}' without a value for '{p.Name}'");
            if (p.RefKind == RefKind.None && _module.LayoutOf(p.Type, at) is { Category: TypeCategory.Struct } layout)
            {
                LValue copy = Alloca(layout.Memory, "byval", StackAlign(layout));
                _llvm.MemCpy(copy, arg, layout.Size, Math.Min(layout.Align, AlignAt(arg, layout.Align)));
                arg = copy;
            }
            all.Add(arg);
        }
        if (syntax is not null) SetLocation(syntax);
        LValue call = _llvm.Call(fnType, fn, all.ToArray());
        return abi.ReturnsStruct ? result : call;
    }

    /// <summary>
    /// The <c>this</c> of an instance call on <paramref name="instance"/> (at <paramref name="address"/>): the
    /// variable itself, or a copy where C# makes one — a non-readonly member called on a readonly variable (C#'s
    /// defensive copy) or on a value that is not a variable (a property's or call's result).
    /// </summary>
    private LValue ReceiverFor(IMethodSymbol member, IOperation instance, LValue address)
    {
        if (member.IsReadOnly || member.MethodKind == MethodKind.Constructor || !NeedsReceiverCopy(instance)) return address;
        TypeLayout layout = _module.LayoutOf(instance.Type!, instance.Syntax.GetLocation());
        LValue copy = Alloca(layout.Memory, "receiver", StackAlign(layout));
        _llvm.MemCpy(copy, address, layout.Size, Math.Min(layout.Align, AlignAt(address, layout.Align)));
        return copy;
    }

    private bool NeedsReceiverCopy(IOperation instance) =>
        IsReadOnlyVariable(instance) || instance is IPropertyReferenceOperation { Property.ReturnsByRef: false, Property.ReturnsByRefReadonly: false };

    /// <summary>True when <paramref name="op"/> is a variable C# lets no one write: C# calls non-readonly members
    /// on a copy of it.</summary>
    private bool IsReadOnlyVariable(IOperation op)
    {
        switch (op)
        {
            case IInstanceReferenceOperation:
                return _method.IsReadOnly && _method.MethodKind != MethodKind.Constructor;
            case ILocalReferenceOperation { Local: var local }:
                return local.RefKind == RefKind.RefReadOnly || (local.RefKind == RefKind.None && (local.IsForEach || local.IsUsing));
            case IParameterReferenceOperation { Parameter: var parameter }:
                return parameter.RefKind is RefKind.In or RefKind.RefReadOnlyParameter;
            case IFieldReferenceOperation { Field: var field } reference:
                if (field.IsReadOnly)
                {
                    // A constructor writes the readonly fields of its own instance.
                    bool ownConstructor = _method.MethodKind == MethodKind.Constructor && reference.Instance is IInstanceReferenceOperation
                        && SymbolEqualityComparer.Default.Equals(field.ContainingType, _method.ContainingType);
                    return !ownConstructor;
                }
                return reference.Instance is { Type.IsValueType: true } owner && IsReadOnlyVariable(owner);
            case IInvocationOperation invocation:
                return invocation.TargetMethod.ReturnsByRefReadonly;
            case IPropertyReferenceOperation property:
                return property.Property.ReturnsByRefReadonly;
            case IInlineArrayAccessOperation inlineArray:
                return inlineArray.Instance.Type is { } t && TypeMapper.SpanElementType(t) is not null
                    ? t.Name == "ReadOnlySpan" : IsReadOnlyVariable(inlineArray.Instance);
            case IFlowCaptureReferenceOperation reference when _cfg is not null:
                foreach (BasicBlock block in _cfg.Blocks)
                    foreach (IOperation statement in block.Operations)
                        if (statement is IFlowCaptureOperation capture && capture.Id.Equals(reference.Id) && IsReadOnlyVariable(capture.Value))
                            return true;
                return false;
            default:
                return false;
        }
    }

    /// <summary><c>this</c> (the receiver's address) in an instance member of a struct.</summary>
    private LValue ThisAddress(Location at) =>
        _abi.HasThis ? _this : throw Unsupported(at, "'this' outside an instance member of a struct");
}
