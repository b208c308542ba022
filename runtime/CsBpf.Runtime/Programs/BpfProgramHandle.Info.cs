using System.Buffers.Binary;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// What the kernel reports about a loaded program (BPF_OBJ_GET_INFO_BY_FD): its size after verification.
public sealed partial class BpfProgramHandle
{
    // struct bpf_prog_info (include/uapi/linux/bpf.h): xlated_prog_len (bytes) at 20, verified_insns at 216 (5.16+).
    private const int XlatedLengthOffset = 20;
    private const int VerifiedInstructionsOffset = 216;
    private const int InfoLength = 232;

    /// <summary>
    /// Instructions of the program as the kernel keeps it after verification (<c>xlated_prog_len</c> / 8): the
    /// verifier removes code it proved dead, e.g. the branches a <c>.rodata</c> value turned off.
    /// </summary>
    /// <exception cref="InvalidOperationException">The object is not loaded, or the program was not loaded.</exception>
    public int TranslatedInstructions => (int)(ReadInfo(XlatedLengthOffset) / 8);

    /// <summary>
    /// Instructions the verifier processed to accept the program (<c>verified_insns</c>, Linux 5.16+; 0 on older
    /// kernels): its verification cost, limited to 1 million.
    /// </summary>
    /// <exception cref="InvalidOperationException">The object is not loaded, or the program was not loaded.</exception>
    public int VerifiedInstructions => (int)ReadInfo(VerifiedInstructionsOffset);

    private unsafe uint ReadInfo(int offset)
    {
        Span<byte> info = stackalloc byte[InfoLength];
        info.Clear();
        var length = (uint)InfoLength;
        int result;
        using (_owner.LeaseLoaded($"read the info of program '{Name}'"))
        {
            var fd = LibBpf.bpf_program__fd(Native);
            if (fd < 0) throw new InvalidOperationException($"Program '{Name}' was not loaded (libbpf autoload is off for it).");
            fixed (byte* p = info)
                result = LibBpf.bpf_obj_get_info_by_fd(fd, p, &length);
        }
        if (result < 0) throw new BpfException($"Reading the info of program '{Name}' failed ({Errno.Describe(-result)}).", -result);
        // The kernel fills only as much of the struct as it knows: a field beyond its length reads as 0.
        return offset + 4 <= length ? BinaryPrimitives.ReadUInt32LittleEndian(info[offset..]) : 0;
    }
}
