using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Expressions: values (registers) and addresses (lvalues), with C#'s integer semantics.
internal sealed partial class FunctionLowering
{
    /// <summary>A condition as <c>i1</c>.</summary>
    private LValue EmitCondition(IOperation op) => EmitValue(op);

    /// <summary>
    /// The value of <paramref name="op"/> in register form: integers as iN, bool as i1, pointers as ptr,
    /// structs as the address of their storage.
    /// </summary>
    private LValue EmitValue(IOperation op)
    {
        SetLocation(op.Syntax);
        if (op.ConstantValue.HasValue && op.Type is not null) return EmitConstant(op.Type, op.ConstantValue.Value, op.Syntax.GetLocation());
        if (op is ILiteralOperation { Type: null, ConstantValue: { HasValue: true, Value: null } }) return _llvm.ConstNull(_llvm.Ptr); // null converted to a pointer

        switch (op)
        {
            case IConversionOperation conversion:
                return EmitConversion(conversion);
            case IBinaryOperation binary:
                return EmitBinary(binary);
            case IUnaryOperation unary:
                return EmitUnary(unary);
            case IFieldReferenceOperation { Field.IsFixedSizeBuffer: true }:
                return EmitAddress(op); // a fixed buffer is a pointer to its first element
            case IFlowCaptureReferenceOperation captured when _propertyCaptures.ContainsKey(captured.Id):
                return EmitCapturedProperty(captured, address: false); // FunctionLowering.Properties.cs
            case IFlowCaptureReferenceOperation captured when CapturedAlignment(captured) is uint capturedAlign:
                return WithAlignment(LoadFrom(op.Type!, EmitAddress(op), op.Syntax.GetLocation()), capturedAlign);
            case IFieldReferenceOperation or IFlowCaptureReferenceOperation when MapValue(op) is { } map:
                return map; // a [Map] field as a value (a map pointer), e.g. passed to a method (FunctionLowering.Maps.cs)
            case IParameterReferenceOperation parameter when IsTracepointRecord(parameter.Parameter):
                throw RecordCopy(parameter);
            case ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IFlowCaptureReferenceOperation or IInstanceReferenceOperation:
                return LoadFrom(op.Type!, EmitAddress(op), op.Syntax.GetLocation());
            case ISimpleAssignmentOperation assignment:
                return EmitAssignment(assignment);
            case ICompoundAssignmentOperation compound:
                return EmitCompoundAssignment(compound);
            case IIncrementOrDecrementOperation increment:
                return EmitIncrement(increment);
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsByRef || invocation.TargetMethod.ReturnsByRefReadonly:
                return LoadFrom(op.Type!, EmitInvocation(invocation, resultUsed: true), op.Syntax.GetLocation()); // a ref result read as a value
            case IInvocationOperation invocation:
                return EmitInvocation(invocation, resultUsed: true);
            case IIsPatternOperation isPattern:
                return EmitIsPattern(isPattern);
            case IIsNullOperation isNull:
                return _llvm.ICmp(IntPredicate.Eq, EmitValue(isNull.Operand), _llvm.ConstNull(_llvm.Ptr));
            case IDefaultValueOperation defaultValue when defaultValue.Type is not null:
                return EmitDefault(defaultValue.Type, op.Syntax.GetLocation());
            case IAddressOfOperation addressOf:
                return EmitAddress(addressOf.Reference);
            case ISizeOfOperation sizeOf when TypeMapper.IsTuple(sizeOf.TypeOperand):
                throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedType, op.Syntax.GetLocation(), sizeOf.TypeOperand.ToDisplayString(), TypeMapper.TupleLayoutIsTheClrs));
            case ISizeOfOperation sizeOf:
                return _llvm.ConstInt(_llvm.I32, _module.LayoutOf(sizeOf.TypeOperand, op.Syntax.GetLocation()).Size);
            case ITupleOperation tuple:
                return EmitTuple(tuple); // FunctionLowering.Tuples.cs
            case IDeconstructionAssignmentOperation deconstruction:
                return EmitDeconstruction(deconstruction);
            case ITupleBinaryOperation tupleBinary:
                return EmitTupleBinary(tupleBinary);
            case IObjectCreationOperation creation when creation.Type is { TypeKind: TypeKind.Struct }:
                return EmitObjectCreation(creation); // FunctionLowering.Construction.cs
            case IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation or ITypeParameterObjectCreationOperation
                when op.Type is { IsReferenceType: true } || op is IArrayCreationOperation:
                throw Unsupported(BpfDiagnostics.ManagedAllocation, op.Syntax.GetLocation(), DiagnosticText.Snippet(op.Syntax));
            case IPropertyReferenceOperation property when EmitSpanProperty(property, address: false) is { } spanValue:
                return spanValue;
            case IInlineArrayAccessOperation inlineArray:
                return inlineArray.Type is { } t && TypeMapper.SpanElementType(t) is not null ? EmitInlineArrayAccess(inlineArray) : LoadFrom(op.Type!, EmitInlineArrayAccess(inlineArray), op.Syntax.GetLocation());
            case IImplicitIndexerReferenceOperation indexer when EmitSpanImplicitIndexer(indexer) is { } indexed:
                return TypeMapper.SpanElementType(op.Type!) is not null ? indexed : LoadFrom(op.Type!, indexed, op.Syntax.GetLocation());
            case IPropertyReferenceOperation property when EmitContextFieldValue(property) is { } contextValue:
                return contextValue;
            case IPropertyReferenceOperation property when EmitPacketProperty(property) is { } packetValue:
                return packetValue;
            case IPropertyReferenceOperation property when IsSourceProperty(property):
                return EmitSourcePropertyValue(property); // FunctionLowering.Properties.cs
            case { Kind: OperationKind.None } when IsStackAlloc(op):
                return EmitStackAlloc(op);
            case { Kind: OperationKind.None } when TryEmitPointerOperation(op, address: false, out LValue pointerValue):
                return pointerValue;
            case IInterpolatedStringOperation:
                throw Unsupported(BpfDiagnostics.StringInBpfCode, op.Syntax.GetLocation(), DiagnosticText.Snippet(op.Syntax));
            case IThrowOperation:
                throw Unsupported(BpfDiagnostics.ExceptionInBpfCode, op.Syntax.GetLocation(), DiagnosticText.Snippet(op.Syntax));
            default:
                throw Unsupported(op.Syntax.GetLocation(), DescribeOperation(op));
        }
    }

    private static string DescribeOperation(IOperation op) => op.Kind switch
    {
        OperationKind.Literal when op.Type?.SpecialType == SpecialType.System_String => "a string",
        OperationKind.Literal when op.Type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double => "floating point",
        _ => $"'{op.Syntax}' ({op.Kind})",
    };

    private LValue EmitConstant(ITypeSymbol type, object? value, Location at)
    {
        if (value is null)
        {
            if (type.IsReferenceType && type.SpecialType != SpecialType.System_String && type is not IPointerTypeSymbol)
                throw Unsupported(at, "null of a reference type", "BPF code has no managed references");
            if (type.SpecialType == SpecialType.System_String) throw Unsupported(BpfDiagnostics.StringInBpfCode, at, DiagnosticText.Snippet(at));
            return _llvm.ConstNull(_llvm.Ptr);
        }
        if (value is string) throw Unsupported(BpfDiagnostics.StringInBpfCode, at, DiagnosticText.Snippet(at));
        if (value is float or double or decimal) throw Unsupported(BpfDiagnostics.FloatingPoint, at, DiagnosticText.Snippet(at), type.ToDisplayString());
        TypeLayout layout = _module.LayoutOf(type, at);
        if (layout.Category == TypeCategory.Boolean) return _llvm.ConstInt(_llvm.I1, (bool)value ? 1UL : 0UL);
        if (layout.Category == TypeCategory.Pointer) return _llvm.ConstNull(_llvm.Ptr);
        ulong bits = value switch
        {
            sbyte v => (ulong)v, byte v => v, short v => (ulong)v, ushort v => v, char v => v,
            int v => (ulong)v, uint v => v, long v => (ulong)v, ulong v => v, nint v => (ulong)v, nuint v => v,
            _ => Convert.ToUInt64(value),
        };
        return _llvm.ConstInt(layout.Memory, bits);
    }

    private LValue EmitDefault(ITypeSymbol type, Location at)
    {
        TypeLayout layout = _module.LayoutOf(type, at);
        switch (layout.Category)
        {
            case TypeCategory.Boolean: return _llvm.ConstInt(_llvm.I1, 0);
            case TypeCategory.Struct:
                LValue temp = Alloca(layout.Memory, "default", StackAlign(layout));
                _llvm.MemSet(temp, 0, layout.Size, layout.Align);
                return temp;
            default: return _llvm.ConstNull(layout.Memory);
        }
    }

    // ---- addresses ----

    /// <summary>The address of an lvalue (or of a ref): a local's slot, a field, a dereferenced pointer.</summary>
    private LValue EmitAddress(IOperation op)
    {
        switch (op)
        {
            case ILocalReferenceOperation local:
                {
                    LValue slot = SlotOf(local.Local, local.Local.Type, local.Local.RefKind != RefKind.None, op.Syntax.GetLocation());
                    return local.Local.RefKind != RefKind.None ? _llvm.Load(_llvm.Ptr, slot, 8) : slot;
                }
            case IParameterReferenceOperation parameter:
                {
                    if (!_slots.TryGetValue(parameter.Parameter, out LValue slot))
                        return PrimaryConstructorParameterAddress(parameter); // a primary constructor's parameter, in a member
                    if (parameter.Parameter.RefKind == RefKind.None) return slot;
                    LValue pointer = _llvm.Load(_llvm.Ptr, slot, 8);
                    // The context of a syscall program: every access must stay `ctx + constant offset` (the
                    // verifier refuses a moved ctx pointer), so keep LLVM from merging field addresses.
                    return IsContextParameter(parameter.Parameter) ? _module.PreserveStaticOffset(pointer) : pointer;
                }
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                return ThisAddress(op.Syntax.GetLocation()); // FunctionLowering.Members.cs
            case IDiscardOperation discard when discard.Type is not null:
                {
                    // `out _`: a slot nobody reads.
                    TypeLayout layout = _module.LayoutOf(discard.Type, op.Syntax.GetLocation());
                    return Alloca(layout.Memory, "discard", StackAlign(layout));
                }
            case IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared }:
                // `out var x` / `out T x`: the new local's own slot.
                return EmitAddress(declared);
            case IFlowCaptureReferenceOperation captureRef when _propertyCaptures.ContainsKey(captureRef.Id):
                return EmitCapturedProperty(captureRef, address: true);
            case IFlowCaptureReferenceOperation captureRef when _captures.TryGetValue(captureRef.Id, out Capture capture):
                return capture.IsAddress ? _llvm.Load(_llvm.Ptr, capture.Slot, 8) : capture.Slot;
            case IFieldReferenceOperation { Instance: { } instance } field:
                {
                    TypeLayout owner = _module.LayoutOf(instance.Type!, op.Syntax.GetLocation());
                    // A tuple element (`t.pid`) is its ValueTuple field (Item1).
                    if (owner.Fields is null || !owner.Fields.TryGetValue((field.Field.CorrespondingTupleField ?? field.Field).Name, out var f))
                        throw Unsupported(op.Syntax.GetLocation(), $"field '{field.Field.Name}' of '{instance.Type}'");
                    LValue baseAddress = instance.Type!.IsValueType ? EmitAddress(instance) : EmitValue(instance);
                    return FieldAddress(owner, baseAddress, field.Field, f, op.Syntax.GetLocation());
                }
            case IFieldReferenceOperation { Instance: null } staticField when _module.GlobalVariables.TryGetValue(staticField.Field, out LValue global):
                return global;
            case IFieldReferenceOperation { Instance: null } staticField:
                throw Unsupported(op.Syntax.GetLocation(), $"static field '{staticField.Field.Name}' of '{staticField.Field.ContainingType.Name}'",
                    "BPF code can use the static fields (maps and globals) of its own [BpfProgram] class only");
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsByRef || invocation.TargetMethod.ReturnsByRefReadonly:
                return EmitInvocation(invocation, resultUsed: true);
            case IPropertyReferenceOperation property when EmitSpanProperty(property, address: true) is { } elementAddress:
                return elementAddress;
            case { Kind: OperationKind.None } when TryEmitPointerOperation(op, address: true, out LValue pointerTarget):
                return pointerTarget;
            case IInlineArrayAccessOperation inlineArray:
                return EmitInlineArrayAccess(inlineArray);
            case IImplicitIndexerReferenceOperation indexer when EmitSpanImplicitIndexer(indexer) is { } indexedAddress:
                return indexedAddress;
            case IPropertyReferenceOperation property when EmitContextFieldAddress(property) is { } contextField:
                return contextField;
            case IPropertyReferenceOperation property when IsSourceProperty(property):
                return EmitSourcePropertyAddress(property);
            default:
                // An rvalue used where an address is needed (e.g. a struct-valued expression): spill it.
                if (op.Type is not null)
                {
                    TypeLayout layout = _module.LayoutOf(op.Type, op.Syntax.GetLocation());
                    LValue value = EmitValue(op);
                    if (layout.Category == TypeCategory.Struct) return value;
                    LValue temp = Alloca(layout.Memory, "tmp", StackAlign(layout));
                    StoreScalar(layout, value, temp);
                    return temp;
                }
                throw Unsupported(op.Syntax.GetLocation(), DescribeOperation(op));
        }
    }

    private LValue LoadFrom(ITypeSymbol type, LValue address, Location at)
    {
        TypeLayout layout = _module.LayoutOf(type, at);
        switch (layout.Category)
        {
            case TypeCategory.Struct:
                return address;
            case TypeCategory.Boolean:
                // C# bools are one byte; any non-zero byte is true.
                return _llvm.ICmp(IntPredicate.Ne, _llvm.Load(_llvm.I8, address, 1), _llvm.ConstInt(_llvm.I8, 0));
            default:
                return _llvm.Load(layout.Memory, address, AlignAt(address, layout.Align));
        }
    }

    private void StoreScalar(TypeLayout layout, LValue value, LValue address)
    {
        switch (layout.Category)
        {
            case TypeCategory.Struct:
                _llvm.MemCpy(address, value, layout.Size, Math.Min(AlignAt(address, layout.Align), AlignAt(value, layout.Align)));
                break;
            case TypeCategory.Boolean:
                _llvm.Store(_llvm.Cast(CastOpcode.ZExt, value, _llvm.I8), address, 1);
                break;
            default:
                _llvm.Store(value, address, AlignAt(address, layout.Align));
                break;
        }
    }

    private void StoreTo(ITypeSymbol type, LValue value, LValue address, Location at) => StoreScalar(_module.LayoutOf(type, at), value, address);

    // ---- assignments ----

    private LValue EmitAssignment(ISimpleAssignmentOperation assignment)
    {
        Location at = assignment.Syntax.GetLocation();
        if (assignment.IsRef)
        {
            LValue address = EmitAddress(assignment.Value);
            LValue slot = assignment.Target switch
            {
                ILocalReferenceOperation l => SlotOf(l.Local, l.Local.Type, isRef: true, at),
                IParameterReferenceOperation p => _slots[p.Parameter],
                _ => throw Unsupported(at, "this ref assignment"),
            };
            _llvm.Store(address, slot, 8);
            return address;
        }
        if (assignment.Target is IDiscardOperation) return EmitValue(assignment.Value); // `_ = M()`
        if (IsAccessorProperty(assignment.Target))
        {
            // A property setter: receiver and index arguments first, then the value (C#'s order).
            PropertyAccess access = PropertyAccessOf(assignment.Target);
            LValue assigned = EmitValue(assignment.Value);
            SetProperty(access, assigned);
            return assigned;
        }
        LValue value = EmitValue(assignment.Value);
        LValue target = EmitAddress(assignment.Target);
        StoreTo(assignment.Target.Type!, value, target, at);
        return value;
    }

    private LValue EmitCompoundAssignment(ICompoundAssignmentOperation compound)
    {
        Location at = compound.Syntax.GetLocation();
        if (compound.Target.Type is IPointerTypeSymbol) return EmitPointerCompoundAssignment(compound);
        if (compound.OperatorMethod is { } userOperator) return EmitUserCompoundAssignment(compound, userOperator);
        if (compound.IsChecked) throw Unsupported(BpfDiagnostics.CheckedArithmetic, at, DiagnosticText.Snippet(compound.Syntax));
        (Func<LValue> load, Action<LValue> store) = LvalueAccessors(compound.Target, at);
        ITypeSymbol targetType = compound.Target.Type!;
        LValue current = load();
        ITypeSymbol operationType = compound.InConversion.IsIdentity || compound.InConversion.Exists == false
            ? targetType : compound.OperatorMethod?.Parameters[0].Type ?? PromotedType(targetType, compound.Value.Type!);
        LValue left = ConvertInteger(current, targetType, operationType, at);
        LValue right = EmitValue(compound.Value);
        right = ConvertInteger(right, compound.Value.Type!, compound.OperatorKind is BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift ? compound.Value.Type! : operationType, at);
        LValue result = EmitArithmetic(compound.OperatorKind, left, right, operationType, compound.Value.Type!, at, compound.Value);
        result = ConvertInteger(result, operationType, targetType, at);
        store(result);
        return result;
    }

    /// <summary>The type C#'s binary numeric promotion gives a compound assignment's operation.</summary>
    private ITypeSymbol PromotedType(ITypeSymbol target, ITypeSymbol value)
    {
        TypeLayout t = _module.LayoutOf(target, Location.None);
        if (t.Category == TypeCategory.Boolean) return target;
        if (t.Size < 4) return _module.Compilation.GetSpecialType(SpecialType.System_Int32);
        return target;
    }

    private LValue EmitIncrement(IIncrementOrDecrementOperation increment)
    {
        Location at = increment.Syntax.GetLocation();
        if (increment.OperatorMethod is { } userOperator) return EmitUserIncrement(increment, userOperator);
        if (increment.IsChecked) throw Unsupported(BpfDiagnostics.CheckedArithmetic, at, DiagnosticText.Snippet(increment.Syntax));
        ITypeSymbol type = increment.Target.Type!;
        if (type is IPointerTypeSymbol) return EmitPointerIncrement(increment);
        TypeLayout layout = _module.LayoutOf(type, at);
        if (layout.Category != TypeCategory.Integer) throw Unsupported(at, $"++/-- on '{type}'");
        if (IsAccessorProperty(increment.Target))
        {
            (Func<LValue> load, Action<LValue> store) = LvalueAccessors(increment.Target, at);
            LValue before = load();
            LValue after = _llvm.Binary(increment.Kind == OperationKind.Increment ? BinaryOpcode.Add : BinaryOpcode.Sub, before, _llvm.ConstInt(layout.Memory, 1));
            store(after);
            return increment.IsPostfix ? before : after;
        }
        LValue address = EmitAddress(increment.Target);
        LValue old = _llvm.Load(layout.Memory, address, layout.Align);
        LValue one = _llvm.ConstInt(layout.Memory, 1);
        LValue updated = _llvm.Binary(increment.Kind == OperationKind.Increment ? BinaryOpcode.Add : BinaryOpcode.Sub, old, one);
        _llvm.Store(updated, address, layout.Align);
        return increment.IsPostfix ? old : updated;
    }

    // ---- operators ----

    private LValue EmitConversion(IConversionOperation conversion)
    {
        Location at = conversion.Syntax.GetLocation();
        ITypeSymbol to = conversion.Type!;
        ITypeSymbol from = conversion.Operand.Type ?? to;
        if (TypeMapper.SpanElementType(from) is not null && TypeMapper.SpanElementType(to) is not null)
            return EmitValue(conversion.Operand); // Span<T> -> ReadOnlySpan<T> (C# 14 span conversion or operator): the same pair
        if (EmitInlineArrayToSpan(conversion) is { } inlineArraySpan) return inlineArraySpan;
        if (TypeMapper.IsTuple(to) && TypeMapper.IsTuple(from)) return EmitTupleConversion(conversion); // FunctionLowering.Tuples.cs
        if (conversion.OperatorMethod is { } userConversion) return EmitUserConversion(conversion, userConversion);
        if (from.IsValueType && to.IsReferenceType) throw Unsupported(BpfDiagnostics.ManagedAllocation, at, DiagnosticText.Snippet(conversion.Syntax));
        if (conversion.Conversion.IsReference || conversion.Conversion.IsNullable || from.IsReferenceType || to.IsReferenceType)
            throw Unsupported(at, $"the conversion from '{from}' to '{to}'", "boxing, reference and nullable conversions need the managed heap");
        if (conversion.IsChecked && conversion.Conversion.IsNumeric)
            throw Unsupported(BpfDiagnostics.CheckedArithmetic, at, DiagnosticText.Snippet(conversion.Syntax));
        LValue value = EmitValue(conversion.Operand);
        return ConvertInteger(value, from, to, at);
    }

    /// <summary>C#'s integer conversions: truncation when narrowing, sign or zero extension (by the source's
    /// signedness) when widening; pointer/integer conversions as ptrtoint/inttoptr.</summary>
    private LValue ConvertInteger(LValue value, ITypeSymbol from, ITypeSymbol to, Location at)
    {
        if (SymbolEqualityComparer.Default.Equals(from, to)) return value;
        TypeLayout f = _module.LayoutOf(from, at), t = _module.LayoutOf(to, at);
        if (f.Category == TypeCategory.Pointer && t.Category == TypeCategory.Pointer) return value;
        if (f.Category == TypeCategory.Pointer && t.Category == TypeCategory.Integer) return _llvm.Cast(CastOpcode.PtrToInt, value, t.Memory);
        if (f.Category == TypeCategory.Integer && t.Category == TypeCategory.Pointer)
            return _llvm.Cast(CastOpcode.IntToPtr, f.Size < 8 ? _llvm.Cast(f.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, value, _llvm.I64) : value, _llvm.Ptr);
        if (f.Category == TypeCategory.Boolean && t.Category == TypeCategory.Boolean) return value;
        if (f.Category != TypeCategory.Integer || t.Category != TypeCategory.Integer)
            throw Unsupported(at, $"the conversion from '{from}' to '{to}'");
        if (t.Size == f.Size) return value;
        if (t.Size < f.Size) return _llvm.Cast(CastOpcode.Trunc, value, t.Memory);
        return _llvm.Cast(f.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, value, t.Memory);
    }

    private LValue EmitUnary(IUnaryOperation unary)
    {
        Location at = unary.Syntax.GetLocation();
        if (unary.OperatorMethod is { } userOperator) return EmitUserUnary(unary, userOperator);
        if (unary.IsChecked && unary.OperatorKind == UnaryOperatorKind.Minus)
            throw Unsupported(BpfDiagnostics.CheckedArithmetic, at, DiagnosticText.Snippet(unary.Syntax));
        LValue operand = EmitValue(unary.Operand);
        return unary.OperatorKind switch
        {
            UnaryOperatorKind.Plus => operand,
            UnaryOperatorKind.Minus => _llvm.Neg(operand),
            UnaryOperatorKind.BitwiseNegation => _llvm.Not(operand),
            UnaryOperatorKind.Not => _llvm.Not(operand),
            _ => throw Unsupported(at, $"the unary operator {unary.OperatorKind}"),
        };
    }

    private LValue EmitBinary(IBinaryOperation binary)
    {
        Location at = binary.Syntax.GetLocation();
        if (binary.OperatorMethod is { } userOperator) return EmitUserBinary(binary, userOperator);
        if (binary.IsChecked && binary.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply)
            throw Unsupported(BpfDiagnostics.CheckedArithmetic, at, DiagnosticText.Snippet(binary.Syntax));
        if (binary.Type?.SpecialType == SpecialType.System_String)
            throw Unsupported(BpfDiagnostics.StringInBpfCode, at, DiagnosticText.Snippet(binary.Syntax));
        ITypeSymbol operandType = binary.LeftOperand.Type!;
        if (EmitPointerBinary(binary) is { } pointerResult) return pointerResult;
        LValue left = EmitValue(binary.LeftOperand);
        LValue right = EmitValue(binary.RightOperand);
        return EmitArithmetic(binary.OperatorKind, left, right, operandType, binary.RightOperand.Type!, at, binary.RightOperand);
    }

    private LValue EmitArithmetic(BinaryOperatorKind kind, LValue left, LValue right, ITypeSymbol type, ITypeSymbol rightType, Location at, IOperation? rightOperand = null)
    {
        TypeLayout layout = _module.LayoutOf(type, at);
        bool signed = layout.IsSigned;
        switch (kind)
        {
            case BinaryOperatorKind.Add: return _llvm.Binary(BinaryOpcode.Add, left, right);
            case BinaryOperatorKind.Subtract: return _llvm.Binary(BinaryOpcode.Sub, left, right);
            case BinaryOperatorKind.Multiply: return _llvm.Binary(BinaryOpcode.Mul, left, right);
            case BinaryOperatorKind.And: return _llvm.Binary(BinaryOpcode.And, left, right);
            case BinaryOperatorKind.Or: return _llvm.Binary(BinaryOpcode.Or, left, right);
            case BinaryOperatorKind.ExclusiveOr: return _llvm.Binary(BinaryOpcode.Xor, left, right);
            case BinaryOperatorKind.Divide:
            case BinaryOperatorKind.Remainder:
                return EmitDivision(kind, left, right, signed, at, rightOperand);
            case BinaryOperatorKind.LeftShift:
            case BinaryOperatorKind.RightShift:
            case BinaryOperatorKind.UnsignedRightShift:
                {
                    // C# masks the count to the operand width (count & 31 or & 63); LLVM would make it poison.
                    int width = (int)layout.Size * 8;
                    LValue count = ConvertInteger(right, rightType, type, at);
                    count = _llvm.Binary(BinaryOpcode.And, count, _llvm.ConstInt(layout.Memory, (ulong)(width - 1)));
                    BinaryOpcode op = kind == BinaryOperatorKind.LeftShift ? BinaryOpcode.Shl
                        : kind == BinaryOperatorKind.RightShift && signed ? BinaryOpcode.AShr : BinaryOpcode.LShr;
                    return _llvm.Binary(op, left, count);
                }
            case BinaryOperatorKind.Equals: return _llvm.ICmp(IntPredicate.Eq, left, right);
            case BinaryOperatorKind.NotEquals: return _llvm.ICmp(IntPredicate.Ne, left, right);
            case BinaryOperatorKind.LessThan: return _llvm.ICmp(signed ? IntPredicate.Slt : IntPredicate.Ult, left, right);
            case BinaryOperatorKind.LessThanOrEqual: return _llvm.ICmp(signed ? IntPredicate.Sle : IntPredicate.Ule, left, right);
            case BinaryOperatorKind.GreaterThan: return _llvm.ICmp(signed ? IntPredicate.Sgt : IntPredicate.Ugt, left, right);
            case BinaryOperatorKind.GreaterThanOrEqual: return _llvm.ICmp(signed ? IntPredicate.Sge : IntPredicate.Uge, left, right);
            default:
                throw Unsupported(at, $"the operator {kind}");
        }
    }

    /// <summary>
    /// Division keeps C#'s meaning. Where C# throws — a zero divisor (BPF would return 0 or the dividend)
    /// and signed MinValue / -1 (BPF would return MinValue) — a guard is emitted that LLVM must prove
    /// unreachable, or the compiler asks for the check (see ModuleLowering.Guards). Signed division truncates
    /// toward zero: <c>sdiv</c> on cpu v4; on older CPUs it is done on magnitudes with the sign fixed up.
    /// </summary>
    private LValue EmitDivision(BinaryOperatorKind kind, LValue left, LValue right, bool signed, Location at, IOperation? rightOperand)
    {
        LType type = LlvmModule.TypeOf(left);
        object? divisor = rightOperand?.ConstantValue is { HasValue: true } c ? c.Value : null;
        if (divisor is not null && Convert.ToDecimal(divisor) == 0)
            throw Unsupported(BpfDiagnostics.DivisionByZero, at, OperandText(rightOperand, at));
        if (divisor is null)
            EmitGuard(_llvm.ICmp(IntPredicate.Eq, right, _llvm.ConstInt(type, 0)), at, BpfDiagnostics.DivisionByZero, OperandText(rightOperand, at));
        if (signed && (divisor is null || Convert.ToDecimal(divisor) == -1))
        {
            int width = LlvmModule.IntWidth(type);
            LValue minValue = _llvm.ConstInt(type, 1UL << (width - 1));
            LValue overflow = _llvm.Binary(BinaryOpcode.And,
                _llvm.ICmp(IntPredicate.Eq, right, _llvm.ConstInt(type, ulong.MaxValue)),
                _llvm.ICmp(IntPredicate.Eq, left, minValue));
            EmitGuard(overflow, at, BpfDiagnostics.DivisionOverflow, OperandText(rightOperand, at));
        }
        bool divide = kind == BinaryOperatorKind.Divide;
        if (!signed) return _llvm.Binary(divide ? BinaryOpcode.UDiv : BinaryOpcode.URem, left, right);
        if (_module.CpuVersion >= 4) return _llvm.Binary(divide ? BinaryOpcode.SDiv : BinaryOpcode.SRem, left, right);

        // |a| and |b| as unsigned (|MinValue| = 2^(n-1) is right as an unsigned magnitude).
        LValue zero = _llvm.ConstInt(type, 0);
        LValue leftNegative = _llvm.ICmp(IntPredicate.Slt, left, zero);
        LValue rightNegative = _llvm.ICmp(IntPredicate.Slt, right, zero);
        LValue leftMagnitude = _llvm.Select(leftNegative, _llvm.Neg(left), left);
        LValue rightMagnitude = _llvm.Select(rightNegative, _llvm.Neg(right), right);
        if (divide)
        {
            // The quotient is negative when exactly one operand is.
            LValue quotient = _llvm.Binary(BinaryOpcode.UDiv, leftMagnitude, rightMagnitude);
            return _llvm.Select(_llvm.Binary(BinaryOpcode.Xor, leftNegative, rightNegative), _llvm.Neg(quotient), quotient);
        }
        // The remainder takes the dividend's sign.
        LValue remainder = _llvm.Binary(BinaryOpcode.URem, leftMagnitude, rightMagnitude);
        return _llvm.Select(leftNegative, _llvm.Neg(remainder), remainder);
    }
}
