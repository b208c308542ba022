using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// Entry wrappers for programs whose C# parameters come from the context (kprobe, kretprobe, fentry,
// fexit, LSM): `int Name(void *ctx)` in the program's section loads each argument and calls the method's
// body, an internal function that O2 inlines. This is what libbpf's BPF_KPROBE/BPF_PROG macros expand to.
internal sealed partial class ModuleLowering
{
    /// <summary>x86-64 <c>struct pt_regs</c> offsets of the argument registers rdi, rsi, rdx, rcx, r8, r9
    /// (arch/x86/include/uapi/asm/ptrace.h) and of rax, the return value.</summary>
    private static readonly int[] s_ptRegsArguments = [112, 104, 96, 88, 72, 64];
    private const int PtRegsReturnValue = 80;

    private void EmitEntryWrapper(ProgramModel program)
    {
        IMethodSymbol method = program.Method;
        Location at = method.Locations.FirstOrDefault() ?? Location.None;
        (LValue body, LType bodyType) = GetOrDeclareFunction(method, at);

        LType wrapperType = Llvm.Function(Llvm.I32, [Llvm.Ptr]);
        LValue wrapper = Llvm.AddFunction(method.Name, wrapperType, Linkage.External, program.Section);
        SyntaxTree tree = method.DeclaringSyntaxReferences[0].SyntaxTree;
        LMetadata file = FileFor(tree);
        uint line = (uint)at.GetLineSpan().StartLinePosition.Line + 1;
        LMetadata voidPtr = Llvm.DiPointer(default);
        LMetadata intType = Types.DebugType(Compilation.GetSpecialType(SpecialType.System_Int32));
        LMetadata subprogram = Llvm.DiFunction(file, method.Name, file, line, Llvm.DiSubroutineType(file, [intType, voidPtr]), localToUnit: false);
        Llvm.DiParameter(subprogram, "ctx", 1, file, line, voidPtr);
        LlvmModule.SetSubprogram(wrapper, subprogram);

        Llvm.PositionAtEnd(Llvm.AppendBlock(wrapper, "entry"));
        Llvm.SetLocation(Llvm.DiLocation(line, 1, subprogram));
        LValue ctx = LlvmModule.Param(wrapper, 0);
        var args = new LValue[method.Parameters.Length];
        for (int i = 0; i < args.Length; i++)
        {
            if (program.Kind == ProgramKind.Usdt)
            {
                args[i] = FromContextSlot(EmitUsdtArgument(ctx, i, at), method.Parameters[i].Type, at);
                continue;
            }
            int offset = program.Kind switch
            {
                ProgramKind.Kprobe => s_ptRegsArguments[i],
                ProgramKind.Kretprobe => PtRegsReturnValue,
                _ => 8 * i,
            };
            LValue slot = Llvm.Gep(Llvm.I8, ctx, [Llvm.ConstInt(Llvm.I64, (ulong)offset)]);
            LValue raw = Llvm.Load(Llvm.I64, slot, 8);
            args[i] = FromContextSlot(raw, method.Parameters[i].Type, at);
        }
        Llvm.Ret(Llvm.Call(bodyType, body, args));
    }

    /// <summary>A 64-bit context slot as the parameter's C# type: truncated, or a pointer, or a bool.</summary>
    private LValue FromContextSlot(LValue raw, ITypeSymbol type, Location at)
    {
        TypeLayout layout = LayoutOf(type, at);
        return layout.Category switch
        {
            TypeCategory.Pointer => Llvm.Cast(CastOpcode.IntToPtr, raw, Llvm.Ptr),
            TypeCategory.Boolean => Llvm.ICmp(IntPredicate.Ne, raw, Llvm.ConstInt(Llvm.I64, 0)),
            TypeCategory.Integer when layout.Size < 8 => Llvm.Cast(CastOpcode.Trunc, raw, layout.Memory),
            _ => raw,
        };
    }
}
