using System.Runtime.CompilerServices;

namespace CsBpf;

// Addresses as numbers, for the helpers that read memory by address.
public static partial class Bpf
{
    /// <summary>
    /// The address of <paramref name="value"/> as a number, for helpers that take an address
    /// (<see cref="ProbeReadKernelStr{T}(out T, ulong)"/> and the other probe reads): e.g. the address of a
    /// tracepoint record, plus a <see cref="DataLocation.Offset"/>, is where a <c>__data_loc</c> string is.
    /// A compiler intrinsic in BPF code (no helper call); on the CLR the address of the referenced storage.
    /// </summary>
    public static unsafe ulong AddressOf<T>(ref readonly T value) => (ulong)Unsafe.AsPointer(ref Unsafe.AsRef(in value));
}
