using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// BPF helper calls: stubs of CsBpf.Bpf (and others) marked [BpfHelper(id)].
internal sealed partial class FunctionLowering
{
    /// <summary>
    /// <c>call id</c> through <c>inttoptr(id)</c>. Helpers take and return 64-bit registers, so integer
    /// arguments are widened by their C# signedness and the result truncated to the stub's return type.
    /// </summary>
    private LValue EmitHelperCall(IInvocationOperation invocation, int id, bool appendSizes, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        var args = new LValue[target.Parameters.Length];
        var types = new LType[target.Parameters.Length];
        var sizes = new LValue?[target.Parameters.Length];
        foreach (IArgumentOperation arg in invocation.Arguments)
        {
            IParameterSymbol p = arg.Parameter!;
            if (p.RefKind != RefKind.None)
            {
                args[p.Ordinal] = EmitAddress(arg.Value);
                types[p.Ordinal] = _llvm.Ptr;
                if (appendSizes) sizes[p.Ordinal] = _llvm.ConstInt(_llvm.I64, _module.LayoutOf(p.Type, at).Size);
                continue;
            }
            if (TypeMapper.SpanElementType(p.Type) is { } element)
            {
                // A span is the helper's (buffer, size) pair, e.g. bpf_probe_read_user(dst, size, src): its
                // pointer and its length in bytes (a constant for a stackalloc span, as the verifier wants).
                var (reference, length) = SpanParts(arg.Value, at);
                args[p.Ordinal] = reference;
                types[p.Ordinal] = _llvm.Ptr;
                sizes[p.Ordinal] = _llvm.Binary(BinaryOpcode.Mul, _llvm.Cast(CastOpcode.ZExt, length, _llvm.I64),
                    _llvm.ConstInt(_llvm.I64, _module.LayoutOf(element, at).Size));
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
        if (sizes.Any(s => s is not null))
        {
            // (buffer, size) helpers such as bpf_get_current_comm: the size follows its buffer.
            var expandedArgs = new List<LValue>();
            var expandedTypes = new List<LType>();
            for (int i = 0; i < args.Length; i++)
            {
                expandedArgs.Add(args[i]);
                expandedTypes.Add(types[i]);
                if (sizes[i] is LValue size)
                {
                    expandedArgs.Add(size);
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
}
