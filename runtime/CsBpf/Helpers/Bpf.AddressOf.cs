using System.Runtime.CompilerServices;

namespace CsBpf;

// Addresses as numbers, for the helpers that read memory by address.
public static partial class Bpf
{
    /// <summary>
    /// The address of <paramref name="value"/> as a number, for helpers that take an address
    /// (<see cref="ProbeReadKernelStr{T}(out T, ulong)"/> and the other probe reads): e.g. the address of a
    /// tracepoint record, plus a <see cref="DataLocation.Offset"/>, is where a <c>__data_loc</c> string is.
    /// For a context (<see cref="PtRegs"/>, <see cref="RawTracepointContext"/>, <see cref="PerfEventContext"/>) it is
    /// the address of the kernel struct the context views (the program's ctx pointer), e.g. to read a register at
    /// a computed offset. A compiler intrinsic in BPF code (no helper call); on the CLR the address of the
    /// referenced storage, or of the struct a context wraps.
    /// </summary>
    public static unsafe ulong AddressOf<T>(ref readonly T value) => value switch
    {
        PtRegs regs => (ulong)regs.Pointer,
        RawTracepointContext args => (ulong)args.Pointer,
        PerfEventContext data => (ulong)data.Pointer,
        _ => (ulong)Unsafe.AsPointer(ref Unsafe.AsRef(in value)),
    };
}
