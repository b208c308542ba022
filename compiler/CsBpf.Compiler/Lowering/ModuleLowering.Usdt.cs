using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// USDT entry wrappers: each parameter is the decoder's result (UsdtSupport) for its index.
internal sealed partial class ModuleLowering
{
    /// <summary>Emits <c>__CsBpfUsdtArg(ctx, index)</c>: the probe's argument <paramref name="index"/> as 64 bits.</summary>
    private LValue EmitUsdtArgument(LValue ctx, int index, Location at)
    {
        IMethodSymbol decoder = Model.Class.GetMembers(UsdtSupport.ArgumentMethod).OfType<IMethodSymbol>().FirstOrDefault()
            ?? throw new LoweringException(Diagnostic.Create(BpfDiagnostics.BackendFailure, at, Model.FullName, "the USDT argument decoder was not added to the class"));
        (LValue fn, LType type) = GetOrDeclareFunction(decoder, at);
        return Llvm.Call(type, fn, [ctx, Llvm.ConstInt(Llvm.I32, (ulong)index)]);
    }
}
