using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Packet access of the network contexts ([PacketIntrinsic] members of XdpContext and SkBuffContext), helpers
// that are methods of a context ([BpfHelper] instance methods: the context is the helper's first argument) and
// byte-order conversions (NetworkOrder, BinaryPrimitives.ReverseEndianness → llvm.bswap).
internal sealed partial class FunctionLowering
{
    /// <summary>The largest offset + size the verifier tracks a packet range for (<c>MAX_PACKET_OFF</c>, kernel/bpf/verifier.c).</summary>
    private const int MaxPacketOffset = 0xFFFF;

    /// <summary>The data and data_end offsets and the operation of a <c>[PacketIntrinsic]</c> member, or null.</summary>
    private static (int Operation, int Data, int DataEnd)? PacketIntrinsic(ISymbol member)
    {
        if (ProgramDiscovery.GetAttribute(member.OriginalDefinition, NetworkNames.PacketIntrinsicAttribute) is not { } a) return null;
        int Named(string name) => a.NamedArguments.FirstOrDefault(n => n.Key == name).Value.Value is int v ? v : 0;
        return ((int)a.ConstructorArguments[0].Value!, Named("DataOffset"), Named("DataEndOffset"));
    }

    /// <summary>
    /// <c>data</c> and <c>data_end</c> of the context: 32-bit context fields the verifier turns into packet
    /// pointers, loaded each time (a helper that changes the packet invalidates earlier pointers).
    /// </summary>
    private (LValue Data, LValue DataEnd) EmitPacketBounds(IOperation context, int dataOffset, int dataEndOffset)
    {
        LValue ctx = EmitValue(context);
        LValue Field(int offset)
        {
            LValue at = _module.PreserveStaticOffset(ctx);
            if (offset != 0) at = _llvm.Gep(_llvm.I8, at, [_llvm.ConstInt(_llvm.I64, (ulong)offset)]);
            LValue raw = _llvm.Load(_llvm.I32, at, 4);
            return _llvm.Cast(CastOpcode.IntToPtr, _llvm.Cast(CastOpcode.ZExt, raw, _llvm.I64), _llvm.Ptr);
        }
        return (Field(dataOffset), Field(dataEndOffset));
    }

    /// <summary>
    /// <c>ctx.GetRef&lt;T&gt;(offset)</c>: <c>data + offset</c> when <c>0 &lt;= offset &lt;= 0xFFFF - sizeof(T)</c> and
    /// <c>data + offset + sizeof(T) &lt;= data_end</c>, else null. The range test on the offset comes first so the
    /// verifier knows the offset is bounded when it is added to the packet pointer; the end test compares
    /// pointers, from which the verifier learns that <c>sizeof(T)</c> bytes are accessible.
    /// </summary>
    private LValue EmitPacketGetRef(IInvocationOperation invocation, int dataOffset, int dataEndOffset, Location at)
    {
        ITypeSymbol element = invocation.TargetMethod.TypeArguments[0];
        ulong size = _module.LayoutOf(element, at).Size;
        if (size > MaxPacketOffset) throw Unsupported(at, $"GetRef<{element}> of {size} bytes", "the verifier tracks packet ranges up to 0xFFFF bytes");
        var (data, dataEnd) = EmitPacketBounds(invocation.Instance!, dataOffset, dataEndOffset);
        LValue offset = EmitValue(invocation.Arguments[0].Value);
        LValue inRange = _llvm.ICmp(IntPredicate.Ule, offset, _llvm.ConstInt(_llvm.I32, MaxPacketOffset - size));
        LValue pointer = _llvm.Gep(_llvm.I8, data, [_llvm.Cast(CastOpcode.ZExt, offset, _llvm.I64)]);
        _module.AssumeNonNull(pointer);
        LValue end = _llvm.Gep(_llvm.I8, pointer, [_llvm.ConstInt(_llvm.I64, size)]);
        LValue fits = _llvm.ICmp(IntPredicate.Ule, end, dataEnd);
        return _llvm.Select(_llvm.Binary(BinaryOpcode.And, inRange, fits), pointer, _llvm.ConstNull(_llvm.Ptr));
    }

    /// <summary><c>ctx.Length</c>: <c>data_end - data</c> as an int.</summary>
    private LValue? EmitPacketProperty(IPropertyReferenceOperation property)
    {
        if (property.Instance is null || PacketIntrinsic(property.Property) is not var (operation, data, dataEnd)) return null;
        if (operation != (int)PacketOperationKind.Length) return null;
        var (start, end) = EmitPacketBounds(property.Instance, data, dataEnd);
        LValue difference = _llvm.Binary(BinaryOpcode.Sub, _llvm.Cast(CastOpcode.PtrToInt, end, _llvm.I64), _llvm.Cast(CastOpcode.PtrToInt, start, _llvm.I64));
        return _llvm.Cast(CastOpcode.Trunc, difference, _llvm.I32);
    }

    /// <summary>Packet intrinsics and context helpers among calls; null when <paramref name="invocation"/> is neither.</summary>
    private LValue? EmitNetworkInvocation(IInvocationOperation invocation, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (PacketIntrinsic(target) is var (operation, data, dataEnd) && invocation.Instance is not null)
        {
            return operation == (int)PacketOperationKind.GetRef
                ? EmitPacketGetRef(invocation, data, dataEnd, at)
                : throw Unsupported(at, $"the packet operation '{target.Name}'");
        }
        if (IsByteSwap(target)) return EmitByteSwap(invocation, at);
        if (!target.IsStatic && invocation.Instance?.Type is { } owner && TypeMapper.IsContext(owner)
            && ProgramDiscovery.GetAttribute(target.OriginalDefinition, WellKnownNames.BpfHelperAttribute) is { } helper)
            return EmitContextHelperCall(invocation, (int)helper.ConstructorArguments[0].Value!,
                helper.NamedArguments.Any(a => a.Key == "AppendSizeOfRefArguments" && a.Value.Value is true), at);
        return null;
    }

    private static bool IsByteSwap(IMethodSymbol method) =>
        ProgramDiscovery.GetAttribute(method, NetworkNames.ByteSwapIntrinsicAttribute) is not null
        || (method.Name == "ReverseEndianness" && method.ContainingType?.ToDisplayString() == NetworkNames.BinaryPrimitives);

    /// <summary><c>llvm.bswap.iN</c> of the single integer argument (an 8-bit value is returned unchanged).</summary>
    private LValue EmitByteSwap(IInvocationOperation invocation, Location at)
    {
        IOperation argument = invocation.Arguments[0].Value;
        TypeLayout layout = _module.LayoutOf(invocation.TargetMethod.Parameters[0].Type, at);
        LValue value = EmitValue(argument);
        if (layout.Category != TypeCategory.Integer) throw Unsupported(at, $"byte-swapping '{argument.Type}'");
        if (layout.Size == 1) return value;
        return _module.ByteSwap(value, (int)layout.Size * 8);
    }

    /// <summary>
    /// A helper that is an instance method of a context (<c>ctx.AdjustHead(delta)</c>): the context is the first
    /// argument, then the method's arguments (by-ref ones as addresses followed by their size when the helper
    /// takes (buffer, size) pairs). An <c>out</c> buffer is zeroed first, so what a failing helper leaves behind
    /// is <c>default</c>, as on the CLR.
    /// </summary>
    private LValue EmitContextHelperCall(IInvocationOperation invocation, int id, bool appendSizes, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        var args = new List<LValue> { EmitValue(invocation.Instance!) };
        var types = new List<LType> { _llvm.Ptr };
        var ordered = new IArgumentOperation[target.Parameters.Length];
        foreach (IArgumentOperation arg in invocation.Arguments) ordered[arg.Parameter!.Ordinal] = arg;
        foreach (IArgumentOperation arg in ordered)
        {
            IParameterSymbol p = arg.Parameter!;
            if (p.RefKind != RefKind.None)
            {
                TypeLayout buffer = _module.LayoutOf(p.Type, at);
                LValue address = EmitAddress(arg.Value);
                if (p.RefKind == RefKind.Out) _llvm.MemSet(address, 0, buffer.Size, 1);
                args.Add(address);
                types.Add(_llvm.Ptr);
                if (appendSizes)
                {
                    args.Add(_llvm.ConstInt(_llvm.I64, buffer.Size));
                    types.Add(_llvm.I64);
                }
                continue;
            }
            TypeLayout layout = _module.LayoutOf(p.Type, at);
            LValue v = EmitValue(arg.Value);
            args.Add(layout.Category switch
            {
                TypeCategory.Pointer => v,
                TypeCategory.Boolean => _llvm.Cast(CastOpcode.ZExt, v, _llvm.I64),
                TypeCategory.Integer when layout.Size < 8 => _llvm.Cast(layout.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, v, _llvm.I64),
                TypeCategory.Integer => v,
                _ => throw Unsupported(at, "a struct argument to a helper", "pass it by ref"),
            });
            types.Add(layout.Category == TypeCategory.Pointer ? _llvm.Ptr : _llvm.I64);
        }
        LType returnType = target.ReturnsVoid ? _llvm.Void : _llvm.I64;
        SetLocation(invocation.Syntax);
        LValue result = _llvm.Call(_llvm.Function(returnType, types.ToArray()), _llvm.HelperPointer(id), args.ToArray());
        if (target.ReturnsVoid) return result;
        TypeLayout ret = _module.LayoutOf(target.ReturnType, at);
        return ret.Category switch
        {
            TypeCategory.Boolean => _llvm.ICmp(IntPredicate.Ne, result, _llvm.ConstInt(_llvm.I64, 0)),
            TypeCategory.Integer when ret.Size < 8 => _llvm.Cast(CastOpcode.Trunc, result, ret.Memory),
            _ => result,
        };
    }

    /// <summary>The values of <c>CsBpf.PacketOperation</c>.</summary>
    private enum PacketOperationKind
    {
        GetRef = 0,
        Length = 1,
    }
}
