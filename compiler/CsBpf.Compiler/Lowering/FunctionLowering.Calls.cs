using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Calls: BPF helpers, map intrinsics, Unsafe/Interlocked intrinsics and BPF-to-BPF calls.
internal sealed partial class FunctionLowering
{
    private const int HelperMapLookup = 1;  // bpf_map_lookup_elem
    private const int HelperMapUpdate = 2;  // bpf_map_update_elem
    private const int HelperMapDelete = 3;  // bpf_map_delete_elem

    /// <summary>Lowers a call; for ref-returning methods the result is the reference (an address).</summary>
    private LValue EmitInvocation(IInvocationOperation invocation, bool resultUsed)
    {
        IMethodSymbol target = invocation.TargetMethod;
        Location at = invocation.Syntax.GetLocation();

        AttributeData? helper = ProgramDiscovery.GetAttribute(target, WellKnownNames.BpfHelperAttribute);
        if (helper is not null && helper.NamedArguments.Any(a => a.Key == "FormatString" && a.Value.Value is true))
            return EmitFormatHelperCall(invocation, (int)helper.ConstructorArguments[0].Value!, at);
        if (helper is not null)
            return EmitHelperCall(invocation, (int)helper.ConstructorArguments[0].Value!,
                helper.NamedArguments.Any(a => a.Key == "AppendSizeOfRefArguments" && a.Value.Value is true), at);
        if (ProgramDiscovery.GetAttribute(target.OriginalDefinition, WellKnownNames.MapIntrinsicAttribute) is { } mapOp)
            return EmitMapCall(invocation, (int)mapOp.ConstructorArguments[0].Value!, at);

        string containing = target.ContainingType?.OriginalDefinition.ToDisplayString() ?? "";
        if (containing == WellKnownNames.Unsafe) return EmitUnsafeIntrinsic(invocation, at);
        if (containing == WellKnownNames.Interlocked) return EmitInterlocked(invocation, resultUsed, at);

        if (target.IsStatic && !target.DeclaringSyntaxReferences.IsEmpty && IsBpfCode(target))
        {
            if (target.IsVararg || target.Parameters.Any(p => p.IsParams))
                throw Unsupported(at, "a params or varargs call");
            (LValue fn, LType fnType) = _module.GetOrDeclareFunction(target, at);
            _module.RecordCall(_method, target, at);
            var args = new LValue[target.Parameters.Length];
            foreach (IArgumentOperation arg in invocation.Arguments)
            {
                IParameterSymbol p = arg.Parameter!;
                args[p.Ordinal] = p.RefKind != RefKind.None ? EmitAddress(arg.Value) : EmitValue(arg.Value);
                if (p.RefKind == RefKind.None && _module.LayoutOf(p.Type, at) is { Category: TypeCategory.Struct } layout)
                {
                    // By-value struct: the callee gets its own copy.
                    LValue copy = Alloca(layout.Memory, "byval", StackAlign(layout));
                    _llvm.MemCpy(copy, args[p.Ordinal], layout.Size, layout.Align);
                    args[p.Ordinal] = copy;
                }
            }
            SetLocation(invocation.Syntax);
            return _llvm.Call(fnType, fn, args);
        }
        throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, at, target.ToDisplayString()));
    }

    /// <summary>BPF code is the program class itself and other <c>[BpfProgram]</c> classes' static methods.</summary>
    private bool IsBpfCode(IMethodSymbol method) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingType, _module.Model.Class) ||
        (method.ContainingType is { } t && ProgramDiscovery.GetAttribute(t, WellKnownNames.BpfProgramAttribute) is not null);

    /// <summary>
    /// <c>call id</c> through <c>inttoptr(id)</c>. Helpers take and return 64-bit registers, so integer
    /// arguments are widened by their C# signedness and the result truncated to the stub's return type.
    /// </summary>
    private LValue EmitHelperCall(IInvocationOperation invocation, int id, bool appendSizes, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        var args = new LValue[target.Parameters.Length];
        var types = new LType[target.Parameters.Length];
        var sizes = new ulong?[target.Parameters.Length];
        foreach (IArgumentOperation arg in invocation.Arguments)
        {
            IParameterSymbol p = arg.Parameter!;
            if (p.RefKind != RefKind.None)
            {
                args[p.Ordinal] = EmitAddress(arg.Value);
                types[p.Ordinal] = _llvm.Ptr;
                if (appendSizes) sizes[p.Ordinal] = _module.LayoutOf(p.Type, at).Size;
                continue;
            }
            TypeLayout layout = _module.LayoutOf(p.Type, at);
            LValue v = EmitValue(arg.Value);
            (args[p.Ordinal], types[p.Ordinal]) = layout.Category switch
            {
                TypeCategory.Pointer => (v, _llvm.Ptr),
                TypeCategory.Boolean => (_llvm.Cast(CastOpcode.ZExt, v, _llvm.I64), _llvm.I64),
                TypeCategory.Integer when layout.Size < 8 => (_llvm.Cast(layout.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, v, _llvm.I64), _llvm.I64),
                TypeCategory.Integer => (v, _llvm.I64),
                _ => throw Unsupported(at, "a struct argument to a helper", "pass it by ref"),
            };
        }
        if (appendSizes)
        {
            // (buffer, size) helpers such as bpf_get_current_comm: the size follows its buffer.
            var expandedArgs = new List<LValue>();
            var expandedTypes = new List<LType>();
            for (int i = 0; i < args.Length; i++)
            {
                expandedArgs.Add(args[i]);
                expandedTypes.Add(types[i]);
                if (sizes[i] is ulong size)
                {
                    expandedArgs.Add(_llvm.ConstInt(_llvm.I64, size));
                    expandedTypes.Add(_llvm.I64);
                }
            }
            args = expandedArgs.ToArray();
            types = expandedTypes.ToArray();
        }
        LType returnType = target.ReturnsVoid ? _llvm.Void : _llvm.I64;
        if (target.ReturnsByRef) returnType = _llvm.Ptr;
        LType fnType = _llvm.Function(returnType, types);
        SetLocation(invocation.Syntax);
        LValue result = _llvm.Call(fnType, _llvm.HelperPointer(id), args);
        if (target.ReturnsVoid || target.ReturnsByRef) return result;
        TypeLayout ret = _module.LayoutOf(target.ReturnType, at);
        return ret.Category switch
        {
            TypeCategory.Boolean => _llvm.ICmp(IntPredicate.Ne, result, _llvm.ConstInt(_llvm.I64, 0)),
            TypeCategory.Pointer => _llvm.Cast(CastOpcode.IntToPtr, result, _llvm.Ptr),
            TypeCategory.Integer when ret.Size < 8 => _llvm.Cast(CastOpcode.Trunc, result, ret.Memory),
            _ => result,
        };
    }

    /// <summary>Map methods (<c>[MapIntrinsic]</c>) on a <c>[Map]</c> field → map helpers with the key and
    /// value spilled to the stack (the helpers take pointers to them).</summary>
    private LValue EmitMapCall(IInvocationOperation invocation, int operation, Location at)
    {
        IFieldSymbol? field = invocation.Instance switch
        {
            IFieldReferenceOperation f => f.Field,
            IFlowCaptureReferenceOperation c => _mapCaptures.GetValueOrDefault(c.Id),
            _ => null,
        };
        if (field is null || !_module.MapGlobals.TryGetValue(field, out LValue map))
            throw Unsupported(at, "a map method called on something other than a [Map] field of this class",
                "call it directly on the map field, e.g. Counts.Update(key, value)");
        var byName = invocation.Arguments.ToDictionary(a => a.Parameter!.Ordinal);
        LValue Spill(int ordinal)
        {
            IArgumentOperation arg = byName[ordinal];
            // A local or parameter already lives in a stack slot: pass that slot (the helpers only read
            // keys and values), as clang passes &key, instead of copying it to a fresh one each call.
            // Scalars only when never written after their declaration: a loop counter kept in memory would
            // lose the bound the verifier tracks in its register.
            ISymbol? variable = arg.Value switch
            {
                ILocalReferenceOperation { Local.RefKind: RefKind.None } l => l.Local,
                IParameterReferenceOperation { Parameter.RefKind: RefKind.None } p => p.Parameter,
                _ => null,
            };
            // Structs live in memory anyway, so their slot is always passed.
            bool inMemory = _module.LayoutOf(arg.Value.Type!, at).Category == TypeCategory.Struct;
            if (variable is not null && (inMemory || !_writtenVariables.Contains(variable)) && SymbolEqualityComparer.Default.Equals(arg.Value.Type, arg.Parameter!.Type))
                return EmitAddress(arg.Value);
            TypeLayout layout = _module.LayoutOf(arg.Value.Type!, at);
            LValue value = EmitValue(arg.Value);
            LValue slot = Alloca(layout.Memory, "mapArg", StackAlign(layout));
            StoreScalar(layout, value, slot);
            return slot;
        }

        LValue key = Spill(0);
        SetLocation(invocation.Syntax);
        switch ((MapOperationKind)operation)
        {
            case MapOperationKind.LookupRef:
                return _llvm.Call(_llvm.Function(_llvm.Ptr, [_llvm.Ptr, _llvm.Ptr]), _llvm.HelperPointer(HelperMapLookup), [map, key]);
            case MapOperationKind.TryGetValue:
                {
                    LValue found = _llvm.Call(_llvm.Function(_llvm.Ptr, [_llvm.Ptr, _llvm.Ptr]), _llvm.HelperPointer(HelperMapLookup), [map, key]);
                    IArgumentOperation outArg = byName[1];
                    TypeLayout layout = _module.LayoutOf(outArg.Value.Type!, at);
                    LValue destination = EmitAddress(outArg.Value);
                    LValue isFound = _llvm.ICmp(IntPredicate.Ne, found, _llvm.ConstNull(_llvm.Ptr));
                    LBlock copy = _llvm.AppendBlock(_function, "found"), clear = _llvm.AppendBlock(_function, "missing"), join = _llvm.AppendBlock(_function, "join");
                    _llvm.CondBr(isFound, copy, clear);
                    _llvm.PositionAtEnd(copy);
                    _llvm.MemCpy(destination, found, layout.Size, layout.Align);
                    _llvm.Br(join);
                    _llvm.PositionAtEnd(clear);
                    // Like Dictionary.TryGetValue, a miss leaves default(T) in the out argument.
                    _llvm.MemSet(destination, 0, layout.Size, layout.Align);
                    _llvm.Br(join);
                    _llvm.PositionAtEnd(join);
                    return isFound;
                }
            case MapOperationKind.Update:
                {
                    LValue value = Spill(1);
                    LValue flags = byName.TryGetValue(2, out IArgumentOperation? f) ? EmitValue(f.Value) : _llvm.ConstInt(_llvm.I64, 0);
                    SetLocation(invocation.Syntax);
                    return _llvm.Call(_llvm.Function(_llvm.I64, [_llvm.Ptr, _llvm.Ptr, _llvm.Ptr, _llvm.I64]), _llvm.HelperPointer(HelperMapUpdate), [map, key, value, flags]);
                }
            case MapOperationKind.Delete:
                return _llvm.Call(_llvm.Function(_llvm.I64, [_llvm.Ptr, _llvm.Ptr]), _llvm.HelperPointer(HelperMapDelete), [map, key]);
            default:
                throw Unsupported(at, $"map operation {operation}");
        }
    }

    /// <summary>Mirror of CsBpf.MapOperation (the compiler reads it from attribute data as an int).</summary>
    private enum MapOperationKind { LookupRef, TryGetValue, Update, Delete }

    private LValue EmitUnsafeIntrinsic(IInvocationOperation invocation, Location at)
    {
        switch (invocation.TargetMethod.Name)
        {
            case "IsNullRef":
                return _llvm.ICmp(IntPredicate.Eq, EmitAddress(invocation.Arguments[0].Value), _llvm.ConstNull(_llvm.Ptr));
            case "NullRef":
                return _llvm.ConstNull(_llvm.Ptr);
            default:
                throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, at, invocation.TargetMethod.ToDisplayString()));
        }
    }

    /// <summary>
    /// Interlocked on 32/64-bit integers → BPF atomic instructions (<c>atomicrmw</c>). Fetching forms
    /// (a used result, Exchange) need cpu v3 (Linux 5.12); plain add works everywhere (<c>lock xadd</c>).
    /// </summary>
    private LValue EmitInterlocked(IInvocationOperation invocation, bool resultUsed, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        ITypeSymbol type = target.Parameters[0].Type;
        TypeLayout layout = _module.LayoutOf(type, at);
        if (layout.Category != TypeCategory.Integer || layout.Size < 4)
            throw Unsupported(at, $"Interlocked on '{type}'", "BPF atomics work on 32- and 64-bit integers");
        bool fetches = resultUsed || target.Name == "Exchange";
        if (fetches && _module.CpuVersion < 3)
            throw Unsupported(at, $"using the result of Interlocked.{target.Name} with BPF cpu {_module.Options.Cpu}",
                "atomic fetch operations need cpu v3; discard the result or set <CsBpfCpu>v3</CsBpfCpu>");
        LValue address = EmitAddress(invocation.Arguments[0].Value);
        LValue one = _llvm.ConstInt(layout.Memory, 1);
        switch (target.Name)
        {
            case "Increment":
                return _llvm.Binary(BinaryOpcode.Add, _llvm.AtomicRmw(AtomicRmwOp.Add, address, one), one);
            case "Decrement":
                return _llvm.Binary(BinaryOpcode.Sub, _llvm.AtomicRmw(AtomicRmwOp.Sub, address, one), one);
            case "Add":
                {
                    LValue value = EmitValue(invocation.Arguments[1].Value);
                    return _llvm.Binary(BinaryOpcode.Add, _llvm.AtomicRmw(AtomicRmwOp.Add, address, value), value);
                }
            case "Exchange":
                return _llvm.AtomicRmw(AtomicRmwOp.Xchg, address, EmitValue(invocation.Arguments[1].Value));
            case "And":
                return _llvm.AtomicRmw(AtomicRmwOp.And, address, EmitValue(invocation.Arguments[1].Value));
            case "Or":
                return _llvm.AtomicRmw(AtomicRmwOp.Or, address, EmitValue(invocation.Arguments[1].Value));
            default:
                throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, at, target.ToDisplayString()));
        }
    }
}
