namespace CsBpf.Compiler.Llvm;

// Fix-ups on the optimised module for variable indexes into stack slots and globals (spans, inline arrays,
// fixed buffers, pointers into stackalloc), where LLVM's code is right but the verifier cannot follow it:
//
// 1. SelectionDAG turns `add x, y` into `or x, y` when known bits say they share no set bit (DAGCombiner's
//    "add -> or disjoint"). For `&stack_slot + i` with the slot 8-byte aligned and i known to be below 8 (a
//    byte index `i & 7`), that gives `r3 = r10; r3 += -8; r3 |= r2`, and the verifier refuses any bitwise
//    operation on a pointer ("R3 bitwise operator |= on pointer prohibited"). clang has the same problem.
//    The index is passed through an empty inline asm (the kernel's barrier_var idiom), which emits no
//    instruction but hides its known bits from the DAG, so the addition stays an addition.
// 2. The bounds check C# requires is proven by LLVM and removed, but the proof can rest on facts the verifier
//    does not track: a mask LLVM found redundant (`(1 >> n) & 1`), a bound tested on another register than
//    the one used to index (`if ((uint)k < 8) e[k]` with `k << 2` computed earlier). The verifier then sees
//    an unbounded offset ("math between fp pointer and register with unbounded min value"). Where every use of
//    the address is a load or store, the index is clamped to the slot's last element (`i &= 7`, or an
//    unsigned min when the count is not a power of two): a no-op for every execution (the access is in range —
//    C#'s check, proven), and exactly the bound the verifier needs, at the cost of one or two instructions.
//
// The same `or` comes from a `select` between two addresses in one slot (`c ? &a[1] : &a[0]`), which the DAG
// rewrites as `&a + zext(c)`; one of the two addresses is hidden the same way, so the DAG sees no common base.
//
// Both run after O2, so no IR optimisation is hampered and constant indexes are untouched.
internal sealed unsafe partial class LlvmModule
{
    private const int OpcodeGetElementPtr = 29, OpcodeSelect = 46; // LLVMGetElementPtr, LLVMSelect
    private const int TypeKindStruct = 10, TypeKindArray = 11;

    /// <summary>Clamps and hides the known bits of variable indexes into stack slots and globals (see the file comment).</summary>
    public void HideStackIndexBits()
    {
        nint layout = LibLlvm.GetModuleDataLayout(_module);
        for (LValue f = LibLlvm.GetFirstFunction(_module); !f.IsNull; f = LibLlvm.GetNextFunction(f))
            for (LBlock b = LibLlvm.GetFirstBasicBlock(f); b.Handle != 0; b = LibLlvm.GetNextBasicBlock(b))
                for (LValue i = LibLlvm.GetFirstInstruction(b); !i.IsNull; i = LibLlvm.GetNextInstruction(i))
                {
                    if (LibLlvm.GetInstructionOpcode(i) == OpcodeSelect && IsPointer(LibLlvm.TypeOf(i))
                        && IsAlignedBase(LibLlvm.GetOperand(i, 1)) && IsAlignedBase(LibLlvm.GetOperand(i, 2)))
                    {
                        LibLlvm.PositionBuilderBefore(_builder, i);
                        LibLlvm.SetCurrentDebugLocation2(_builder, LibLlvm.InstructionGetDebugLoc(i));
                        LibLlvm.SetOperand(i, 1, Opaque(LibLlvm.GetOperand(i, 1)));
                        continue;
                    }
                    if (LibLlvm.GetInstructionOpcode(i) != OpcodeGetElementPtr) continue;
                    LValue basePointer = LibLlvm.GetOperand(i, 0);
                    if (!IsAlignedBase(basePointer)) continue;
                    int operands = LibLlvm.GetNumOperands(i);
                    int variable = -1, variables = 0;
                    for (int k = 1; k < operands; k++)
                        if (LibLlvm.IsConstant(LibLlvm.GetOperand(i, (uint)k)) == 0) { variable = k; variables++; }
                    if (variables == 0) continue;
                    LibLlvm.PositionBuilderBefore(_builder, i);
                    LibLlvm.SetCurrentDebugLocation2(_builder, LibLlvm.InstructionGetDebugLoc(i));
                    long? last = variables == 1 ? LastInBoundsIndex(layout, i, basePointer, variable) : null;
                    for (int k = 1; k < operands; k++)
                    {
                        LValue index = LibLlvm.GetOperand(i, (uint)k);
                        if (LibLlvm.IsConstant(index) != 0) continue;
                        // Hidden before the clamp too, or the DAG drops a mask it can prove redundant (`(1 >> n) & 1`).
                        if (last is long max) index = Clamp(Opaque(index), (ulong)max);
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

    /// <summary>
    /// The largest value of the variable index (operand <paramref name="variable"/>) that keeps every access
    /// through <paramref name="gep"/> inside its slot or global, or null when that cannot be said: the base is
    /// not the slot itself, the address has other uses than loads and stores, or the other indexes could make
    /// a negative variable index valid.
    /// </summary>
    private long? LastInBoundsIndex(nint layout, LValue gep, LValue basePointer, int variable)
    {
        LType storage;
        if (!LibLlvm.IsAAllocaInst(basePointer).IsNull) storage = LibLlvm.GetAllocatedType(basePointer);
        else if (!LibLlvm.IsAGlobalVariable(basePointer).IsNull) storage = LibLlvm.GlobalGetValueType(basePointer);
        else return null;
        ulong size = LibLlvm.ABISizeOfType(layout, storage);
        ulong access = AccessSize(layout, gep);
        if (access == 0 || access > size) return null;

        // Walk the indexed types: the constant indexes add a fixed offset, the variable one a stride.
        LType type = LibLlvm.GetGEPSourceElementType(gep);
        ulong constant = 0, stride = 0;
        int operands = LibLlvm.GetNumOperands(gep);
        for (int k = 1; k < operands; k++)
        {
            LValue index = LibLlvm.GetOperand(gep, (uint)k);
            ulong elementSize;
            LType next;
            if (k == 1) { elementSize = LibLlvm.ABISizeOfType(layout, type); next = type; }
            else if (LibLlvm.GetTypeKind(type) == TypeKindArray) { next = LibLlvm.GetElementType(type); elementSize = LibLlvm.ABISizeOfType(layout, next); }
            else if (LibLlvm.GetTypeKind(type) == TypeKindStruct && k != variable)
            {
                uint field = (uint)LibLlvm.ConstIntGetZExtValue(index);
                constant += LibLlvm.OffsetOfElement(layout, type, field);
                type = LibLlvm.StructGetTypeAtIndex(type, field);
                continue;
            }
            else return null;
            if (k == variable) stride = elementSize;
            else
            {
                if (LibLlvm.IsAConstantInt(index).IsNull) return null;
                long value = LibLlvm.ConstIntGetSExtValue(index);
                if (value < 0) return null;
                constant += (ulong)value * elementSize;
            }
            type = next;
        }
        // With a constant part of a whole stride or more, a negative variable index could be in bounds.
        if (stride == 0 || constant >= stride || constant + access > size) return null;
        return (long)((size - constant - access) / stride);
    }

    /// <summary>The largest load or store through <paramref name="gep"/>, or 0 when it has any other use.</summary>
    private static ulong AccessSize(nint layout, LValue gep)
    {
        ulong largest = 0;
        for (nint use = LibLlvm.GetFirstUse(gep); use != 0; use = LibLlvm.GetNextUse(use))
        {
            LValue user = LibLlvm.GetUser(use);
            LType accessed;
            if (LibLlvm.GetInstructionOpcode(user) == OpcodeLoad) accessed = LibLlvm.TypeOf(user);
            else if (LibLlvm.GetInstructionOpcode(user) == OpcodeStore && LibLlvm.GetOperand(user, 0) != gep) accessed = LibLlvm.TypeOf(LibLlvm.GetOperand(user, 0));
            else return 0;
            largest = Math.Max(largest, LibLlvm.ABISizeOfType(layout, accessed));
        }
        return largest;
    }

    /// <summary><paramref name="index"/> limited to [0, <paramref name="max"/>] as unsigned: a mask when max + 1
    /// is a power of two, else an unsigned minimum.</summary>
    private LValue Clamp(LValue index, ulong max)
    {
        LType type = LibLlvm.TypeOf(index);
        LValue limit = ConstInt(type, max);
        if ((max & (max + 1)) == 0) return Binary(BinaryOpcode.And, index, limit);
        return Select(ICmp(IntPredicate.Ugt, index, limit), limit, index);
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
