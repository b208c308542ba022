using System.Runtime.InteropServices;

namespace CsBpf;

// Packet helpers that do not take the context (those that do are methods of XdpContext and SkBuffContext).
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_redirect</c> (helper 23) for XDP programs: return its result to send the packet out of interface
    /// <paramref name="ifindex"/> (<c>return Bpf.XdpRedirect(index);</c>). Returns <see cref="XdpAction.Redirect"/>,
    /// or <see cref="XdpAction.Aborted"/> for non-zero <paramref name="flags"/>.
    /// </summary>
    [BpfHelper(23, Programs = BpfProgramTypes.Xdp)]
    public static XdpAction XdpRedirect(uint ifindex, ulong flags = 0) => flags == 0 ? XdpAction.Redirect : XdpAction.Aborted;

    /// <summary>
    /// <c>bpf_redirect</c> (helper 23) for tc programs: return its result to send the packet to interface
    /// <paramref name="ifindex"/>'s egress (or, with <see cref="TcRedirectFlags.Ingress"/>, its receive path).
    /// Returns <see cref="TcAction.Redirect"/>, or <see cref="TcAction.Shot"/> for unknown flags.
    /// </summary>
    [BpfHelper(23, Programs = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    public static TcAction TcRedirect(uint ifindex, TcRedirectFlags flags = TcRedirectFlags.Egress) =>
        (flags & ~TcRedirectFlags.Ingress) == 0 ? TcAction.Redirect : TcAction.Shot;

    /// <summary>
    /// <c>bpf_csum_diff</c> (helper 28): the one's-complement checksum difference between <paramref name="from"/>
    /// and <paramref name="to"/> (whole structs, sizes multiples of 4 bytes) added to <paramref name="seed"/>, for
    /// <see cref="SkBuffContext.L3CsumReplace"/>/<see cref="SkBuffContext.L4CsumReplace"/> with size 0 or to
    /// update a checksum by hand. Since Linux 6.12 the result is folded to 16 bits (not complemented); older kernels
    /// return the unfolded 32-bit sum (the same checksum once folded). The CLR body follows 6.12.
    /// </summary>
    [BpfHelper(28, Programs = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.Xdp, AppendSizeOfRefArguments = true)]
    public static long CsumDiff<TFrom, TTo>(in TFrom from, in TTo to, uint seed)
        where TFrom : unmanaged
        where TTo : unmanaged =>
        InetChecksum.Diff(
            MemoryMarshal.AsBytes(new ReadOnlySpan<TFrom>(in from)),
            MemoryMarshal.AsBytes(new ReadOnlySpan<TTo>(in to)), seed);
}
