using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Map methods ([MapIntrinsic]) on [Map] fields (or on inner maps looked up from a map of maps), lowered to the
// map helpers. The keyed operations are here; queue/stack, ring buffer, perf event, stack trace, tail call and
// map-of-maps operations in FunctionLowering.MapKinds.cs.
internal sealed partial class FunctionLowering
{
    private const int HelperMapLookup = 1;  // bpf_map_lookup_elem
    private const int HelperMapUpdate = 2;  // bpf_map_update_elem
    private const int HelperMapDelete = 3;  // bpf_map_delete_elem

    /// <summary>Flow captures that hold different maps on different paths: their value is the map pointer at run time.</summary>
    private readonly HashSet<CaptureId> _dynamicMapCaptures = new();

    /// <summary>Map methods (<c>[MapIntrinsic]</c>) → map helpers with the key and value spilled to the stack
    /// (the helpers take pointers to them).</summary>
    private LValue EmitMapCall(IInvocationOperation invocation, int operation, Location at)
    {
        LValue map = EmitMapInstance(invocation, at, out MapModel? model);
        var byName = invocation.Arguments.ToDictionary(a => a.Parameter!.Ordinal);
        if (operation > (int)MapOperationKind.Delete)
            return EmitMapKindCall(invocation, (MapOperationKind)operation, map, model, byName, at);

        LValue key = SpillMapArgument(byName[0], at);
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
                    LValue value = SpillMapArgument(byName[1], at);
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

    /// <summary>
    /// The map a method is called on: a <c>[Map]</c> field of this class is its <c>.maps</c> global (with its
    /// declaration in <paramref name="model"/>); a local or parameter of a map type holds an inner map pointer that
    /// <c>TryGetMap</c> of a map of maps returned (its model is unknown here).
    /// </summary>
    private LValue EmitMapInstance(IInvocationOperation invocation, Location at, out MapModel? model)
    {
        IFieldSymbol? field = invocation.Instance switch
        {
            IFieldReferenceOperation f => f.Field,
            IFlowCaptureReferenceOperation c when !_dynamicMapCaptures.Contains(c.Id) => _mapCaptures.GetValueOrDefault(c.Id),
            _ => null,
        };
        if (field is not null && _module.MapGlobals.TryGetValue(field, out LValue map))
        {
            model = _module.Model.Maps.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.Field, field));
            if (model is not null) _module.RecordMapUse(_method, model, at);
            return map;
        }
        model = null;
        if (field is null && invocation.Instance is { Type: { } type } instance && TypeMapper.IsMap(type)
            && instance is ILocalReferenceOperation or IParameterReferenceOperation or IFlowCaptureReferenceOperation)
            return EmitValue(instance);
        throw Unsupported(at, "a map method called on something other than a [Map] field of this class or an inner map from TryGetMap",
            "call it directly on the map field, e.g. Counts.Update(key, value)");
    }

    /// <summary>Stores a captured map's pointer in the capture's slot (read when the capture is a run-time value).</summary>
    private void StoreMapCapture(CaptureId id, IFieldSymbol mapField)
    {
        if (!_captures.TryGetValue(id, out Capture slot))
        {
            slot = new Capture(Alloca(_llvm.Ptr, "mapCapture", 8), _llvm.Ptr, IsAddress: false);
            _captures[id] = slot;
        }
        _llvm.Store(_module.MapGlobals[mapField], slot.Slot, 8);
    }

    /// <summary>The map pointer of a <c>[Map]</c> field of this class (or of a flow capture of one), or null for
    /// other operations: a map used as a value, e.g. assigned to a local or passed to a method.</summary>
    private LValue? MapValue(IOperation op)
    {
        IFieldSymbol? field = op switch
        {
            IFieldReferenceOperation { Instance: null } f => f.Field,
            IFlowCaptureReferenceOperation c when !_dynamicMapCaptures.Contains(c.Id) => _mapCaptures.GetValueOrDefault(c.Id),
            _ => null,
        };
        return field is not null && _module.MapGlobals.TryGetValue(field, out LValue map) ? map : null;
    }

    /// <summary>
    /// A pointer to a key or value argument for a map helper. A local or parameter already lives in a stack slot:
    /// pass that slot (the helpers only read keys and values), as clang passes &amp;key, instead of copying it to a
    /// fresh one each call. Scalars only when never written after their declaration: a loop counter kept in memory
    /// would lose the bound the verifier tracks in its register. Anything else (a context field, a map value, an
    /// expression) is copied to the stack: helpers take keys and values only from the stack or map memory.
    /// </summary>
    private LValue SpillMapArgument(IArgumentOperation arg, Location at)
    {
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
        TypeLayout layout = _module.LayoutOf(arg.Parameter!.Type, at);
        LValue value = EmitValue(arg.Value);
        LValue slot = Alloca(layout.Memory, "mapArg", StackAlign(layout));
        StoreScalar(layout, value, slot);
        return slot;
    }

    /// <summary>Mirror of CsBpf.MapOperation (the compiler reads it from attribute data as an int).</summary>
    private enum MapOperationKind
    {
        LookupRef, TryGetValue, Update, Delete, Push, Pop, Peek,
        RingBufferOutput, RingBufferReserve, RingBufferSubmit, RingBufferDiscard, RingBufferQuery,
        PerfEventOutput, GetStackId, TailCall, LookupMap,
    }
}
