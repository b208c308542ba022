namespace CsBpf.Compiler.Llvm;

// A fix-up on the optimised module for a BPF back-end behaviour that the verifier rejects (clang has it too):
// SelectionDAG turns `add x, y` into `or x, y` when known bits say they share no set bit (DAGCombiner's
// "add -> or disjoint"). For `&stack_slot + i` with the slot 8-byte aligned and i known to be below 8 (a byte
// index `i & 7`), that gives `r3 = r10; r3 += -8; r3 |= r2`, and the verifier refuses any bitwise operation on
// a pointer ("R3 bitwise operator |= on pointer prohibited", kernel/bpf/verifier.c adjust_ptr_min_max_vals).
// Every variable index of an address computed from a stack slot or a global is passed through an empty
// inline asm (the kernel's own barrier_var idiom), which emits no instruction but hides the index's known
// bits from the DAG, so the addition stays an addition. It runs after O2, so no IR optimisation is hampered.
internal sealed unsafe partial class LlvmModule
{
    private const int OpcodeGetElementPtr = 29; // LLVMGetElementPtr

    /// <summary>Hides the known bits of variable indexes into stack slots and globals (see the file comment).</summary>
    public void HideStackIndexBits()
    {
        for (LValue f = LibLlvm.GetFirstFunction(_module); !f.IsNull; f = LibLlvm.GetNextFunction(f))
            for (LBlock b = LibLlvm.GetFirstBasicBlock(f); b.Handle != 0; b = LibLlvm.GetNextBasicBlock(b))
                for (LValue i = LibLlvm.GetFirstInstruction(b); !i.IsNull; i = LibLlvm.GetNextInstruction(i))
                {
                    if (LibLlvm.GetInstructionOpcode(i) != OpcodeGetElementPtr || !IsAlignedBase(LibLlvm.GetOperand(i, 0))) continue;
                    int operands = LibLlvm.GetNumOperands(i);
                    for (int k = 1; k < operands; k++)
                    {
                        LValue index = LibLlvm.GetOperand(i, (uint)k);
                        if (LibLlvm.IsConstant(index) != 0) continue;
                        LibLlvm.PositionBuilderBefore(_builder, i);
                        LibLlvm.SetOperand(i, (uint)k, Opaque(index));
                    }
                }
    }

    /// <summary>A stack slot or global, possibly behind constant-offset GEPs: addresses whose low bits LLVM knows.</summary>
    private static bool IsAlignedBase(LValue pointer)
    {
        for (int depth = 0; depth < 8; depth++)
        {
            // A constant address is a global or an offset from one (constant expressions).
            if (!LibLlvm.IsAAllocaInst(pointer).IsNull || LibLlvm.IsConstant(pointer) != 0) return true;
            if (LibLlvm.GetInstructionOpcode(pointer) != OpcodeGetElementPtr) return false;
            int operands = LibLlvm.GetNumOperands(pointer);
            for (int k = 1; k < operands; k++)
                if (LibLlvm.IsConstant(LibLlvm.GetOperand(pointer, (uint)k)) == 0) return false;
            pointer = LibLlvm.GetOperand(pointer, 0);
        }
        return false;
    }

    /// <summary><c>asm "" : "+r"(value)</c>: the same register, with nothing known about its bits.</summary>
    private LValue Opaque(LValue value)
    {
        LType type = LibLlvm.TypeOf(value);
        LType fnType = Function(type, [type]);
        byte empty = 0;
        byte[] constraints = "=r,0"u8.ToArray();
        fixed (byte* c = constraints)
        {
            LValue asm = LibLlvm.GetInlineAsm(fnType, &empty, 0, c, (nuint)constraints.Length, 0, 0, 0, 0);
            return LibLlvm.BuildCall2(_builder, fnType, asm, &value, 1, "");
        }
    }
}
