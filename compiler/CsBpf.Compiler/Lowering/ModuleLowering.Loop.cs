using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// The bpf_loop callback wrappers (see FunctionLowering.Loop): `static long <Callback>_loop(u64 index, void *ctx)
// { return Callback((uint)index, ctx) != 0; }`, one per callback method, defined after every method is lowered.
// Each has its own debug subprogram, so the object keeps BTF func info for every subprogram (the kernel
// requires it when the object has BTF).
internal sealed partial class ModuleLowering
{
    private readonly Dictionary<IMethodSymbol, LValue> _loopWrappers = new(SymbolEqualityComparer.Default);
    private readonly List<(IMethodSymbol Callback, LValue Wrapper, Location At)> _pendingLoopWrappers = [];

    /// <summary>The wrapper function of a bpf_loop callback (declared now, defined by <see cref="EmitLoopWrappers"/>).</summary>
    public LValue LoopCallbackWrapper(IMethodSymbol callback, Location at)
    {
        if (_loopWrappers.TryGetValue(callback, out LValue known)) return known;
        GetOrDeclareFunction(callback, at);
        LValue wrapper = Llvm.AddFunction(MangledName(callback) + "_loop", Llvm.Function(Llvm.I64, [Llvm.I64, Llvm.Ptr]), Linkage.Internal, section: null);
        _loopWrappers[callback] = wrapper;
        _pendingLoopWrappers.Add((callback, wrapper, at));
        return wrapper;
    }

    private void EmitLoopWrappers()
    {
        foreach (var (callback, wrapper, at) in _pendingLoopWrappers)
        {
            var (function, type) = _functions[callback];
            SyntaxReference syntax = callback.DeclaringSyntaxReferences[0];
            LMetadata file = FileFor(syntax.SyntaxTree);
            uint line = (uint)syntax.GetSyntax().GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            LMetadata longType = Types.DebugType(Compilation.GetSpecialType(SpecialType.System_Int64));
            LMetadata ulongType = Types.DebugType(Compilation.GetSpecialType(SpecialType.System_UInt64));
            LMetadata voidPointer = Llvm.DiPointer(default);
            LMetadata subprogram = Llvm.DiFunction(file, MangledName(callback) + "_loop", file, line,
                Llvm.DiSubroutineType(file, [longType, ulongType, voidPointer]), localToUnit: true);
            LlvmModule.SetSubprogram(wrapper, subprogram);
            Llvm.DiParameter(subprogram, "index", 1, file, line, ulongType);
            Llvm.DiParameter(subprogram, "ctx", 2, file, line, voidPointer);

            Llvm.PositionAtEnd(Llvm.AppendBlock(wrapper, "entry"));
            Llvm.SetLocation(Llvm.DiLocation(line, 1, subprogram));
            LValue index = Llvm.Cast(CastOpcode.Trunc, LlvmModule.Param(wrapper, 0), Llvm.I32);
            LValue result = Llvm.Call(type, function, [index, LlvmModule.Param(wrapper, 1)]);
            LValue stop = Llvm.ICmp(IntPredicate.Ne, result, Llvm.ConstInt(Llvm.I64, 0));
            Llvm.Ret(Llvm.Cast(CastOpcode.ZExt, stop, Llvm.I64));
        }
        _pendingLoopWrappers.Clear();
    }
}
