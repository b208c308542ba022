namespace CsBpf.Compiler.Llvm;

// A fix-up on the optimised module, for a SelectionDAG combine the verifier rejects: `select c, (load p),
// (load q)` becomes `load (select c, p, q)` (DAGCombiner::SimplifySelectOps). When p and q are fields of the
// program's context (`ctx + 16` and `ctx + 0`), the result dereferences a moved context pointer
// ("dereference of modified ctx ptr R2 off=16 disallowed"). The combine leaves volatile loads alone, so after
// O2 — when every IR optimisation that volatile would block has run — context accesses are made volatile:
// plain loads and stores through a program's context argument and the llvm.bpf.getelementptr.and.load/store
// intrinsics that BPFPreserveStaticOffsetPass made of the others (their second argument is the volatile flag).
internal sealed unsafe partial class LlvmModule
{
    private const int OpcodeLoad = 27, OpcodeStore = 28, OpcodeCall = 45;

    /// <summary>Marks the context accesses of program functions volatile (see the file comment).</summary>
    public void MakeContextAccessesVolatile()
    {
        LValue volatileFlag = ConstInt(I1, 1);
        for (LValue f = LibLlvm.GetFirstFunction(_module); !f.IsNull; f = LibLlvm.GetNextFunction(f))
        {
            bool isProgram = LibLlvm.GetSection(f) != 0 && LibLlvm.CountParams(f) > 0;
            LValue context = isProgram ? LibLlvm.GetParam(f, 0) : default;
            for (LBlock b = LibLlvm.GetFirstBasicBlock(f); b.Handle != 0; b = LibLlvm.GetNextBasicBlock(b))
                for (LValue i = LibLlvm.GetFirstInstruction(b); !i.IsNull; i = LibLlvm.GetNextInstruction(i))
                {
                    switch (LibLlvm.GetInstructionOpcode(i))
                    {
                        case OpcodeLoad when isProgram && LibLlvm.GetOperand(i, 0) == context:
                        case OpcodeStore when isProgram && LibLlvm.GetOperand(i, 1) == context:
                            LibLlvm.SetVolatile(i, 1);
                            break;
                        case OpcodeCall when CalledName(i) is { } name
                            && (name.StartsWith("llvm.bpf.getelementptr.and.load", StringComparison.Ordinal) || name.StartsWith("llvm.bpf.getelementptr.and.store", StringComparison.Ordinal)):
                            // load(ptr, i1 volatile, ...) / store(value, ptr, i1 volatile, ...).
                            LibLlvm.SetOperand(i, name.Contains(".load", StringComparison.Ordinal) ? 1u : 2u, volatileFlag);
                            break;
                    }
                }
        }
    }

    private static string? CalledName(LValue call)
    {
        LValue callee = LibLlvm.GetCalledValue(call);
        if (callee.IsNull || LibLlvm.IsAFunction(callee).IsNull) return null;
        nint name = LibLlvm.GetValueName2(callee, out nuint length);
        return name == 0 ? null : System.Text.Encoding.UTF8.GetString((byte*)name, (int)length);
    }
}
