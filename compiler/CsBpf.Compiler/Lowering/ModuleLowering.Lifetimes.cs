using CsBpf.Compiler.Llvm;

namespace CsBpf.Compiler.Lowering;

// llvm.lifetime.start/end (see FunctionLowering.Lifetimes).
internal sealed partial class ModuleLowering
{
    private LValue _lifetimeStart, _lifetimeEnd;
    private LType _lifetimeType;

    /// <summary>Emits <c>llvm.lifetime.start</c> or <c>.end</c> of <paramref name="size"/> bytes at <paramref name="slot"/>.</summary>
    public void LifetimeMarker(bool start, LValue slot, ulong size)
    {
        if (_lifetimeStart.IsNull)
        {
            _lifetimeType = Llvm.Function(Llvm.Void, [Llvm.I64, Llvm.Ptr]);
            _lifetimeStart = Llvm.AddFunction("llvm.lifetime.start.p0", _lifetimeType, Linkage.External, section: null);
            _lifetimeEnd = Llvm.AddFunction("llvm.lifetime.end.p0", _lifetimeType, Linkage.External, section: null);
        }
        Llvm.Call(_lifetimeType, start ? _lifetimeStart : _lifetimeEnd, [Llvm.ConstInt(Llvm.I64, size), slot]);
    }
}
