using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// The map operations beyond lookup/update/delete: queue and stack maps, ring buffers, perf event arrays,
// stack traces, tail calls and maps of maps. Each is one helper call with the arguments in the helper's order.
internal sealed partial class FunctionLowering
{
    private const int HelperTailCall = 12;            // bpf_tail_call(ctx, prog_array, index)
    private const int HelperPerfEventOutput = 25;     // bpf_perf_event_output(ctx, map, flags, data, size)
    private const int HelperGetStackId = 27;          // bpf_get_stackid(ctx, map, flags)
    private const int HelperMapPush = 87;             // bpf_map_push_elem(map, value, flags)
    private const int HelperMapPop = 88;              // bpf_map_pop_elem(map, value)
    private const int HelperMapPeek = 89;             // bpf_map_peek_elem(map, value)
    private const int HelperRingBufferOutput = 130;   // bpf_ringbuf_output(ringbuf, data, size, flags)
    private const int HelperRingBufferReserve = 131;  // bpf_ringbuf_reserve(ringbuf, size, flags)
    private const int HelperRingBufferSubmit = 132;   // bpf_ringbuf_submit(data, flags)
    private const int HelperRingBufferDiscard = 133;  // bpf_ringbuf_discard(data, flags)
    private const int HelperRingBufferQuery = 134;    // bpf_ringbuf_query(ringbuf, flags)

    /// <summary><c>BPF_F_CURRENT_CPU</c>: the index meaning "this CPU's slot" in a perf event array.</summary>
    private const ulong CurrentCpu = 0xffffffffUL;

    /// <summary><c>BPF_F_SKIP_FIELD_MASK</c>: the low byte of <c>bpf_get_stackid</c>'s flags is the frames to skip.</summary>
    private const ulong SkipFieldMask = 0xff;

    /// <summary><c>BPF_RINGBUF_HDR_SZ</c>: every ring buffer record starts with an 8-byte header.</summary>
    private const ulong RingBufferHeader = 8;

    private LValue EmitMapKindCall(IInvocationOperation invocation, MapOperationKind operation, LValue map, MapModel? model,
        Dictionary<int, IArgumentOperation> args, Location at)
    {
        LType i64 = _llvm.I64, ptr = _llvm.Ptr;
        LValue Helper(int id, LType returns, LType[] types, LValue[] values)
        {
            SetLocation(invocation.Syntax);
            return _llvm.Call(_llvm.Function(returns, types), _llvm.HelperPointer(id), values);
        }
        LValue Flags(int ordinal) => args.TryGetValue(ordinal, out IArgumentOperation? f) ? Widen(f.Value, at) : _llvm.ConstInt(i64, 0);

        switch (operation)
        {
            case MapOperationKind.Push:
                {
                    LValue value = SpillMapArgument(args[0], at);
                    return Helper(HelperMapPush, i64, [ptr, ptr, i64], [map, value, Flags(1)]);
                }
            case MapOperationKind.Pop or MapOperationKind.Peek:
                {
                    // Into a stack temporary, then copied: the helper writes only to stack or map memory, and the
                    // out argument may be a context field. An empty map zeroes the value, which is C#'s default.
                    IArgumentOperation outArg = args[0];
                    TypeLayout layout = _module.LayoutOf(outArg.Parameter!.Type, at);
                    LValue temp = Alloca(layout.Memory, "popped", StackAlign(layout));
                    LValue result = Helper(operation == MapOperationKind.Pop ? HelperMapPop : HelperMapPeek, i64, [ptr, ptr], [map, temp]);
                    _llvm.MemCpy(EmitAddress(outArg.Value), temp, layout.Size, layout.Align);
                    return _llvm.ICmp(IntPredicate.Eq, result, _llvm.ConstInt(i64, 0));
                }
            case MapOperationKind.RingBufferOutput:
                {
                    ITypeSymbol recordType = args[0].Parameter!.Type;
                    ulong size = RecordSize(recordType, model, at);
                    LValue data = SpillMapArgument(args[0], at);
                    return Helper(HelperRingBufferOutput, i64, [ptr, ptr, i64, i64], [map, data, _llvm.ConstInt(i64, size), Flags(1)]);
                }
            case MapOperationKind.RingBufferReserve:
                {
                    // The size must be a verifier-known constant (ARG_CONST_ALLOC_SIZE_OR_ZERO): sizeof(T). The
                    // helper's flags must be 0. The result is the record or NULL, the null ref the caller tests.
                    ulong size = RecordSize(invocation.TargetMethod.TypeArguments[0], model, at);
                    return Helper(HelperRingBufferReserve, ptr, [ptr, i64, i64], [map, _llvm.ConstInt(i64, size), _llvm.ConstInt(i64, 0)]);
                }
            case MapOperationKind.RingBufferSubmit or MapOperationKind.RingBufferDiscard:
                {
                    LValue record = EmitAddress(args[0].Value);
                    return Helper(operation == MapOperationKind.RingBufferSubmit ? HelperRingBufferSubmit : HelperRingBufferDiscard,
                        _llvm.Void, [ptr, i64], [record, Flags(1)]);
                }
            case MapOperationKind.RingBufferQuery:
                return Helper(HelperRingBufferQuery, i64, [ptr, i64], [map, Flags(0)]);
            case MapOperationKind.PerfEventOutput:
                {
                    LValue ctx = EmitContextArgument(args[0]);
                    ITypeSymbol recordType = args[1].Parameter!.Type;
                    ulong size = _module.LayoutOf(recordType, at).Size;
                    LValue data = SpillMapArgument(args[1], at);
                    return Helper(HelperPerfEventOutput, i64, [ptr, ptr, i64, ptr, i64], [ctx, map, _llvm.ConstInt(i64, CurrentCpu), data, _llvm.ConstInt(i64, size)]);
                }
            case MapOperationKind.GetStackId:
                {
                    LValue ctx = EmitContextArgument(args[0]);
                    LValue flags = Flags(1);
                    if (args.TryGetValue(2, out IArgumentOperation? skip))
                        flags = _llvm.Binary(BinaryOpcode.Or, _llvm.Binary(BinaryOpcode.And, flags, _llvm.ConstInt(i64, ~SkipFieldMask)),
                            _llvm.Binary(BinaryOpcode.And, Widen(skip.Value, at), _llvm.ConstInt(i64, SkipFieldMask)));
                    return Helper(HelperGetStackId, i64, [ptr, ptr, i64], [ctx, map, flags]);
                }
            case MapOperationKind.TailCall:
                {
                    LValue ctx = EmitContextArgument(args[0]);
                    LValue index = Widen(args[1].Value, at);
                    // Returns only when the jump did not happen; r0 is then not meaningful (the JIT leaves it as it was).
                    return Helper(HelperTailCall, i64, [ptr, ptr, i64], [ctx, map, index]);
                }
            case MapOperationKind.LookupMap:
                {
                    LValue key = SpillMapArgument(args[0], at);
                    LValue inner = Helper(HelperMapLookup, ptr, [ptr, ptr], [map, key]);
                    // The out argument gets the inner map or null, as TryGetMap does on the CLR.
                    _llvm.Store(inner, EmitAddress(args[1].Value), 8);
                    return _llvm.ICmp(IntPredicate.Ne, inner, _llvm.ConstNull(ptr));
                }
            default:
                throw Unsupported(at, $"map operation {operation}");
        }
    }

    /// <summary>The program context passed to a helper: a context struct by value is the ctx pointer itself; a
    /// <c>ref</c> struct (a syscall program's arguments) is its address, which is the ctx pointer.</summary>
    private LValue EmitContextArgument(IArgumentOperation arg)
    {
        if (arg.Parameter!.RefKind == RefKind.None) return EmitValue(arg.Value);
        // The helper needs the context pointer itself (PTR_TO_CTX): a struct of this method's own is never it.
        if (arg.Value is ILocalReferenceOperation { Local.RefKind: RefKind.None } or IFieldReferenceOperation
            || arg.Value is IParameterReferenceOperation { Parameter.RefKind: RefKind.None })
            throw Unsupported(arg.Value.Syntax.GetLocation(), $"passing '{arg.Value.Syntax}' as the program context",
                "pass the program's context parameter (e.g. 'ref args' of a syscall program), or a ref parameter it was passed as");
        return EmitAddress(arg.Value);
    }

    /// <summary>An integer or enum argument as a 64-bit register, extended by its C# signedness.</summary>
    private LValue Widen(IOperation value, Location at)
    {
        TypeLayout layout = _module.LayoutOf(value.Type!, at);
        LValue v = EmitValue(value);
        return layout.Category switch
        {
            TypeCategory.Boolean => _llvm.Cast(CastOpcode.ZExt, v, _llvm.I64),
            TypeCategory.Integer when layout.Size < 8 => _llvm.Cast(layout.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, v, _llvm.I64),
            TypeCategory.Integer => v,
            _ => throw Unsupported(at, $"a '{value.Type}' flags or index argument"),
        };
    }

    /// <summary>The size of a ring buffer record of <paramref name="type"/>, refused (CSBPF1156) when it can never
    /// fit in the ring: the kernel would fail every reservation.</summary>
    private ulong RecordSize(ITypeSymbol type, MapModel? model, Location at)
    {
        ulong size = _module.LayoutOf(type, at).Size;
        if (model is { MapType: MapDeclarationReader.RingBuf } && (size + RingBufferHeader + 7) / 8 * 8 > (ulong)model.MaxEntries)
            throw new LoweringException(Diagnostic.Create(BpfDiagnostics.RingBufferRecordTooLarge, at,
                type.ToDisplayString(), size + RingBufferHeader, model.Field.Name, model.MaxEntries));
        return size;
    }
}
