using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// System.Runtime.CompilerServices.Unsafe: the members that are plain address arithmetic, reinterpretation,
// loads and stores, lowered to exactly that (the CLR's JIT does the same; none of them checks anything).
// IsNullRef/NullRef are in FunctionLowering.Calls.cs.
internal sealed partial class FunctionLowering
{
    /// <summary>An <c>Unsafe</c> member, or null when it is not one of these. Ref-returning members give the address.</summary>
    private LValue? EmitUnsafeMember(IInvocationOperation invocation, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        ITypeSymbol? t = target.TypeArguments.FirstOrDefault();
        LValue Arg(int i) => target.Parameters[i].RefKind != RefKind.None ? EmitAddress(Argument(invocation, i)) : EmitValue(Argument(invocation, i));
        switch (target.Name)
        {
            case "SizeOf":
                return _llvm.ConstInt(_llvm.I32, _module.LayoutOf(t!, at).Size);
            case "Add" or "Subtract":
                {
                    LValue source = Arg(0);
                    LValue offset = EmitPointerIndex(Argument(invocation, 1), at);
                    if (target.Name == "Subtract") offset = _llvm.Neg(offset);
                    return OffsetPointer(source, t!, offset, at);
                }
            case "AddByteOffset" or "SubtractByteOffset":
                {
                    LValue source = Arg(0);
                    LValue offset = EmitPointerIndex(Argument(invocation, 1), at);
                    if (target.Name == "SubtractByteOffset") offset = _llvm.Neg(offset);
                    return _llvm.Gep(_llvm.I8, source, [offset]);
                }
            case "ByteOffset":
                {
                    LValue origin = _llvm.Cast(CastOpcode.PtrToInt, Arg(0), _llvm.I64);
                    LValue destination = _llvm.Cast(CastOpcode.PtrToInt, Arg(1), _llvm.I64);
                    return _llvm.Binary(BinaryOpcode.Sub, destination, origin);
                }
            case "AreSame":
                return _llvm.ICmp(IntPredicate.Eq, Arg(0), Arg(1));
            case "IsAddressGreaterThan":
                return _llvm.ICmp(IntPredicate.Ugt, Arg(0), Arg(1));
            case "IsAddressGreaterThanOrEqualTo":
                return _llvm.ICmp(IntPredicate.Uge, Arg(0), Arg(1));
            case "IsAddressLessThan":
                return _llvm.ICmp(IntPredicate.Ult, Arg(0), Arg(1));
            case "IsAddressLessThanOrEqualTo":
                return _llvm.ICmp(IntPredicate.Ule, Arg(0), Arg(1));
            case "As" when target.Parameters.Length == 1 && target.Parameters[0].RefKind != RefKind.None:
            case "AsRef":
            case "AsPointer":
                // Reinterpretations of one address: the same pointer.
                return Arg(0);
            case "Read" or "ReadUnaligned":
                {
                    LValue address = Arg(0);
                    if (target.Name == "ReadUnaligned") _addressAlign[address] = 1;
                    return LoadFrom(t!, address, at);
                }
            case "Write" or "WriteUnaligned":
                {
                    LValue address = Arg(0);
                    LValue value = Arg(1);
                    if (target.Name == "WriteUnaligned") _addressAlign[address] = 1;
                    StoreTo(t!, value, address, at);
                    return default(LValue);
                }
            case "Copy":
                {
                    // Copy<T>(void* destination, ref readonly T source) / Copy<T>(ref T destination, void* source).
                    LValue destination = Arg(0), source = Arg(1);
                    StoreTo(t!, LoadFrom(t!, source, at), destination, at);
                    return default(LValue);
                }
            case "CopyBlock" or "CopyBlockUnaligned" or "InitBlock" or "InitBlockUnaligned":
                {
                    IOperation count = Argument(invocation, 2);
                    if (count.ConstantValue is not { HasValue: true, Value: uint length })
                        throw Unsupported(at, $"Unsafe.{target.Name} with a byte count that is not a constant", "BPF has no memcpy/memset loops; use a constant size");
                    const uint align = 1; // nothing is known about the addresses; LLVM raises it where it can
                    if (target.Name.StartsWith("Copy", StringComparison.Ordinal))
                    {
                        LValue destination = Arg(0), source = Arg(1);
                        _llvm.MemCpy(destination, source, length, align);
                    }
                    else
                    {
                        LValue destination = Arg(0);
                        if (Argument(invocation, 1).ConstantValue is not { HasValue: true, Value: byte fill })
                            throw Unsupported(at, $"Unsafe.{target.Name} with a fill value that is not a constant", "use a constant byte");
                        _llvm.MemSet(destination, fill, length, align);
                    }
                    return default(LValue);
                }
            case "SkipInit":
                return default(LValue); // C# leaves the value undefined; so do we (the verifier refuses reading it uninitialised)
            case "BitCast":
                {
                    // Same-size reinterpretation of a value: through a stack slot, which LLVM folds.
                    ITypeSymbol to = target.TypeArguments[1];
                    TypeLayout fromLayout = _module.LayoutOf(t!, at), toLayout = _module.LayoutOf(to, at);
                    if (fromLayout.Size != toLayout.Size) throw Unsupported(at, $"Unsafe.BitCast between types of different sizes");
                    LValue slot = Alloca(fromLayout.Memory, "bitcast", Math.Max(StackAlign(fromLayout), toLayout.Align));
                    StoreScalar(fromLayout, Arg(0), slot);
                    return LoadFrom(to, slot, at);
                }
            default:
                return null;
        }
    }

    /// <summary>The argument bound to parameter <paramref name="ordinal"/> (Roslyn lists them in evaluation order).</summary>
    private static IOperation Argument(IInvocationOperation invocation, int ordinal) =>
        invocation.Arguments.First(a => a.Parameter!.Ordinal == ordinal).Value;
}
