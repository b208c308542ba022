namespace CsBpf.Compiler.Llvm;

// Instruction building. Every instruction gets the builder's current debug location (SetLocation).
internal sealed unsafe partial class LlvmModule
{
    private const int SeqCst = 7; // LLVMAtomicOrderingSequentiallyConsistent

    public void PositionAtEnd(LBlock block) => LibLlvm.PositionBuilderAtEnd(_builder, block);

    public LBlock CurrentBlock => LibLlvm.GetInsertBlock(_builder);

    public void SetLocation(LMetadata location) => LibLlvm.SetCurrentDebugLocation2(_builder, location);

    public LValue Ret(LValue value) => LibLlvm.BuildRet(_builder, value);
    public LValue RetVoid() => LibLlvm.BuildRetVoid(_builder);
    public LValue Br(LBlock target) => LibLlvm.BuildBr(_builder, target);
    public LValue CondBr(LValue condition, LBlock then, LBlock @else) => LibLlvm.BuildCondBr(_builder, condition, then, @else);
    public LValue Unreachable() => LibLlvm.BuildUnreachable(_builder);

    public LValue Alloca(LType type, string name, uint align)
    {
        LValue a = LibLlvm.BuildAlloca(_builder, type, name);
        LibLlvm.SetAlignment(a, align);
        return a;
    }

    public LValue Load(LType type, LValue pointer, uint align)
    {
        LValue v = LibLlvm.BuildLoad2(_builder, type, pointer, "");
        LibLlvm.SetAlignment(v, align);
        return v;
    }

    public LValue Store(LValue value, LValue pointer, uint align)
    {
        LValue s = LibLlvm.BuildStore(_builder, value, pointer);
        LibLlvm.SetAlignment(s, align);
        return s;
    }

    public LValue Binary(BinaryOpcode opcode, LValue left, LValue right) => LibLlvm.BuildBinOp(_builder, (int)opcode, left, right, "");
    public LValue Neg(LValue value) => LibLlvm.BuildNeg(_builder, value, "");
    public LValue Not(LValue value) => LibLlvm.BuildNot(_builder, value, "");
    public LValue ICmp(IntPredicate predicate, LValue left, LValue right) => LibLlvm.BuildICmp(_builder, predicate, left, right, "");
    public LValue Cast(CastOpcode opcode, LValue value, LType type) => LibLlvm.BuildCast(_builder, (int)opcode, value, type, "");
    public LValue Select(LValue condition, LValue then, LValue @else) => LibLlvm.BuildSelect(_builder, condition, then, @else, "");

    public LValue Call(LType functionType, LValue function, ReadOnlySpan<LValue> args)
    {
        fixed (LValue* p = args) return LibLlvm.BuildCall2(_builder, functionType, function, p, (uint)args.Length, "");
    }

    public LValue Gep(LType elementType, LValue pointer, ReadOnlySpan<LValue> indices)
    {
        fixed (LValue* p = indices) return LibLlvm.BuildGEP2(_builder, elementType, pointer, p, (uint)indices.Length, "");
    }

    public LValue StructGep(LType structType, LValue pointer, int field) => LibLlvm.BuildStructGEP2(_builder, structType, pointer, (uint)field, "");

    public LValue AtomicRmw(AtomicRmwOp op, LValue pointer, LValue value) => LibLlvm.BuildAtomicRMW(_builder, op, pointer, value, SeqCst, 0);

    public LValue MemSet(LValue pointer, byte value, ulong length, uint align) =>
        LibLlvm.BuildMemSet(_builder, pointer, ConstInt(I8, value), ConstInt(I64, length), align);

    public LValue MemCpy(LValue destination, LValue source, ulong length, uint align) =>
        LibLlvm.BuildMemCpy(_builder, destination, align, source, align, ConstInt(I64, length));
}

/// <summary>The <c>LLVMOpcode</c> values of integer binary operators.</summary>
internal enum BinaryOpcode
{
    Add = 8, Sub = 10, Mul = 12, UDiv = 14, SDiv = 15, URem = 17, SRem = 18,
    Shl = 20, LShr = 21, AShr = 22, And = 23, Or = 24, Xor = 25,
}

/// <summary>The <c>LLVMOpcode</c> values of casts.</summary>
internal enum CastOpcode
{
    Trunc = 30, ZExt = 31, SExt = 32, PtrToInt = 39, IntToPtr = 40, BitCast = 41,
}
