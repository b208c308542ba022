using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Bpf.Loop(count, Callback, ref context) -> bpf_loop (helper 181): the callback method group becomes a BPF
// function pointer (the back end emits `ld_imm64 r2, <func>` with a relocation that libbpf turns into
// BPF_PSEUDO_FUNC), called through a small wrapper that gives it the kernel's callback signature
// `long (*)(u64 index, void *ctx)` and maps any non-zero result to 1 (the verifier requires a callback of
// bpf_loop to return 0 or 1; C# code may return any non-zero value to stop, as on the CLR).
internal sealed partial class FunctionLowering
{
    private const int BpfLoopHelper = 181;

    private static bool IsBpfLoop(IMethodSymbol target) =>
        target.Name == "Loop" && target.IsGenericMethod && target.ContainingType?.ToDisplayString() == "CsBpf.Bpf";

    private LValue EmitBpfLoop(IInvocationOperation invocation, Location at)
    {
        IOperation callbackOperand = Argument(invocation, 1);
        while (callbackOperand is IConversionOperation { IsImplicit: true } c) callbackOperand = c.Operand;
        IMethodSymbol callback = callbackOperand switch
        {
            IDelegateCreationOperation { Target: IMethodReferenceOperation { Method: var m } } => m,
            _ => throw Unsupported(callbackOperand.Syntax.GetLocation(), "this Bpf.Loop callback",
                "pass a static method of the BPF class by name, e.g. Bpf.Loop(n, Step, ref state)"),
        };
        if (!callback.IsStatic || callback.DeclaringSyntaxReferences.IsEmpty || !IsBpfCode(callback))
            throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, callbackOperand.Syntax.GetLocation(), callback.ToDisplayString()));

        LValue count = _llvm.Cast(CastOpcode.ZExt, EmitValue(Argument(invocation, 0)), _llvm.I64);
        LValue wrapper = _module.LoopCallbackWrapper(callback, callbackOperand.Syntax.GetLocation());
        _module.RecordCall(_method, callback, at);
        LValue context = EmitAddress(Argument(invocation, 2));
        SetLocation(invocation.Syntax);
        LType helperType = _llvm.Function(_llvm.I64, [_llvm.I64, _llvm.Ptr, _llvm.Ptr, _llvm.I64]);
        LValue result = _llvm.Call(helperType, _llvm.HelperPointer(BpfLoopHelper), [count, wrapper, context, _llvm.ConstInt(_llvm.I64, 0)]);
        // The verifier inlines bpf_loop (verifier.c, inline_bpf_loop) and then sets -E2BIG with a 32-bit move,
        // so the upper half is zero there and all ones in the helper itself. Every result fits in 32 bits
        // (at most 8M iterations, or -E2BIG): sign-extend the low half, which both paths agree on.
        return _llvm.Cast(CastOpcode.SExt, _llvm.Cast(CastOpcode.Trunc, result, _llvm.I32), _llvm.I64);
    }
}
