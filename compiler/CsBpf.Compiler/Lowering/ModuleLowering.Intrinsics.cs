using CsBpf.Compiler.Llvm;

namespace CsBpf.Compiler.Lowering;

// LLVM intrinsics declared on first use.
internal sealed partial class ModuleLowering
{
    private readonly Dictionary<string, (LValue Function, LType Type)> _intrinsics = new(StringComparer.Ordinal);

    private (LValue Function, LType Type) Intrinsic(string name, LType returnType, params LType[] parameters)
    {
        if (!_intrinsics.TryGetValue(name, out var known))
        {
            LType type = Llvm.Function(returnType, parameters);
            known = (Llvm.AddFunction(name, type, Linkage.External, section: null), type);
            _intrinsics[name] = known;
        }
        return known;
    }

    /// <summary><c>llvm.bswap.iN(value)</c>: the BPF back end emits one <c>bswap</c>/<c>be</c> instruction (folded for constants).</summary>
    public LValue ByteSwap(LValue value, int bits)
    {
        LType type = Llvm.Int(bits);
        var (function, fnType) = Intrinsic($"llvm.bswap.i{bits}", type, type);
        return Llvm.Call(fnType, function, [value]);
    }

    /// <summary>
    /// <c>llvm.assume(pointer != null)</c>: lets the optimiser fold null tests of a pointer the kernel never makes
    /// null (a packet pointer), which would otherwise reach the verifier as comparisons of a packet pointer with 0.
    /// </summary>
    public void AssumeNonNull(LValue pointer)
    {
        var (function, fnType) = Intrinsic("llvm.assume", Llvm.Void, Llvm.I1);
        Llvm.Call(fnType, function, [Llvm.ICmp(IntPredicate.Ne, pointer, Llvm.ConstNull(Llvm.Ptr))]);
    }
}
