using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Calls: dispatch (helpers, map intrinsics, Unsafe/Interlocked intrinsics) and BPF-to-BPF calls. Helper
// calls are in FunctionLowering.Helpers.cs, map methods in FunctionLowering.Maps.cs.
internal sealed partial class FunctionLowering
{
    /// <summary>Lowers a call; for ref-returning methods the result is the reference (an address).</summary>
    private LValue EmitInvocation(IInvocationOperation invocation, bool resultUsed)
    {
        IMethodSymbol target = invocation.TargetMethod;
        Location at = invocation.Syntax.GetLocation();

        if (IsBpfLoop(target)) return EmitBpfLoop(invocation, at);
        if (EmitNetworkInvocation(invocation, at) is { } network) return network;
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
        if (EmitSpanEnumeratorCall(invocation, at) is { } enumeratorResult) return enumeratorResult;
        if (EmitSpanSlice(invocation, at) is { } slice) return slice;
        if (containing == WellKnownNames.BpfLog) return EmitLogCall(invocation, at);
        if (EmitTracingIntrinsic(invocation) is { } tracing) return tracing;

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
        throw UnsupportedCall(invocation, at);
    }

    /// <summary>BPF code is the program class itself and other <c>[BpfProgram]</c> classes' static methods.</summary>
    private bool IsBpfCode(IMethodSymbol method) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingType, _module.Model.Class) ||
        (method.ContainingType is { } t && ProgramDiscovery.GetAttribute(t, WellKnownNames.BpfProgramAttribute) is not null);

    private LValue EmitUnsafeIntrinsic(IInvocationOperation invocation, Location at)
    {
        switch (invocation.TargetMethod.Name)
        {
            case "IsNullRef":
                return _llvm.ICmp(IntPredicate.Eq, EmitAddress(invocation.Arguments[0].Value), _llvm.ConstNull(_llvm.Ptr));
            case "NullRef":
                return _llvm.ConstNull(_llvm.Ptr);
            case var _ when EmitUnsafeMember(invocation, at) is { } result:
                return result;
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
