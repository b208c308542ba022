using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// The context of an XDP program: <c>struct xdp_md</c> (include/uapi/linux/bpf.h). The packet is
/// <see cref="Data"/> … <see cref="DataEnd"/>; read and write it safely with <see cref="GetRef{T}"/>, which the
/// compiler expands into the pointer comparison against <c>data_end</c> the verifier requires. On the CLR a
/// context comes from a <see cref="PacketBuffer"/>.
/// </summary>
public readonly unsafe struct XdpContext : IBpfContext
{
    internal const int DataOffset = 0, DataEndOffset = 4, DataMetaOffset = 8;
    internal const int IngressIfindexOffset = 12, RxQueueIndexOffset = 16;

    private readonly byte* _context;

    internal XdpContext(byte* context) => _context = context;

    private PacketState* State => PacketState.Of(_context);

    /// <summary>The first byte of the packet (<c>xdp_md.data</c>). For C-style code; prefer <see cref="GetRef{T}"/>.</summary>
    [ContextField(DataOffset, Size = 4)]
    public byte* Data => State->Data;

    /// <summary>One past the last byte of the packet (<c>xdp_md.data_end</c>).</summary>
    [ContextField(DataEndOffset, Size = 4)]
    public byte* DataEnd => State->DataEnd;

    /// <summary>The start of the metadata in front of the packet (<c>xdp_md.data_meta</c>; equal to <see cref="Data"/> when there is none).</summary>
    [ContextField(DataMetaOffset, Size = 4)]
    public byte* DataMeta => State->DataMeta;

    /// <summary>The interface the packet arrived on (<c>xdp_md.ingress_ifindex</c>).</summary>
    [ContextField(IngressIfindexOffset)]
    public uint IngressIfindex => PacketState.Field32(_context, IngressIfindexOffset);

    /// <summary>The receive queue of the packet (<c>xdp_md.rx_queue_index</c>).</summary>
    [ContextField(RxQueueIndexOffset)]
    public uint RxQueueIndex => PacketState.Field32(_context, RxQueueIndexOffset);

    /// <summary>
    /// The packet bytes at <paramref name="offset"/> as a <typeparamref name="T"/> (e.g. an <see cref="Net.IPv4Header"/>),
    /// readable and writable, or a null reference — test it with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/> —
    /// when the packet is too short (or <paramref name="offset"/> is negative or above 0xFFFF − sizeof(T)). The
    /// compiler emits <c>data + offset + sizeof(T) &gt; data_end</c>, which is how the verifier learns the bounds.
    /// References obtained before a helper that moves the packet (<see cref="AdjustHead"/>, <see cref="AdjustTail"/>,
    /// <see cref="AdjustMeta"/>) are stale: get them again after the call.
    /// </summary>
    [PacketIntrinsic(PacketOperation.GetRef, DataOffset = DataOffset, DataEndOffset = DataEndOffset)]
    public ref T GetRef<T>(int offset) where T : unmanaged => ref PacketState.GetRef<T>(Data, DataEnd, offset);

    /// <summary>The packet's length, <c>data_end - data</c>.</summary>
    [PacketIntrinsic(PacketOperation.Length, DataOffset = DataOffset, DataEndOffset = DataEndOffset)]
    public int Length => (int)(DataEnd - Data);

    /// <summary>
    /// <c>bpf_xdp_adjust_head</c> (helper 44): moves the packet's start by <paramref name="delta"/> bytes — negative
    /// to prepend room for a header (e.g. encapsulation), positive to strip one. Returns 0, or -EINVAL (-22) when
    /// the headroom (256 bytes minus a 40-byte frame header) runs out or less than an Ethernet header would remain.
    /// </summary>
    [BpfHelper(44, Programs = BpfProgramTypes.Xdp)]
    public int AdjustHead(int delta) => State->XdpAdjustHead(delta);

    /// <summary>
    /// <c>bpf_xdp_adjust_tail</c> (helper 65, Linux 4.18; growing 5.8): moves the packet's end by <paramref name="delta"/>
    /// bytes; new bytes are zero. Returns 0 or -EINVAL (-22) past the frame's tailroom or below an Ethernet header.
    /// </summary>
    [BpfHelper(65, Programs = BpfProgramTypes.Xdp)]
    public int AdjustTail(int delta) => State->XdpAdjustTail(delta);

    /// <summary>
    /// <c>bpf_xdp_adjust_meta</c> (helper 54): moves <see cref="DataMeta"/> by <paramref name="delta"/> (negative to
    /// reserve metadata in front of the packet, passed on to tc as <see cref="SkBuffContext.DataMeta"/>). Returns 0,
    /// -EINVAL (-22) outside the headroom, -EACCES (-13) for a length that is not a multiple of 4.
    /// </summary>
    [BpfHelper(54, Programs = BpfProgramTypes.Xdp)]
    public int AdjustMeta(int delta) => State->XdpAdjustMeta(delta);

    /// <summary>
    /// <c>bpf_xdp_load_bytes</c> (helper 189, Linux 5.18): copies <c>sizeof(T)</c> bytes at <paramref name="offset"/>
    /// into <paramref name="value"/>, also from the fragments of a multi-buffer packet. Returns 0, or -EINVAL (-22) past
    /// the end, -EFAULT (-14) for an offset above 0xFFFF (<paramref name="value"/> is then unchanged in the kernel; default here).
    /// </summary>
    [BpfHelper(189, Programs = BpfProgramTypes.Xdp, AppendSizeOfRefArguments = true)]
    public int LoadBytes<T>(int offset, out T value) where T : unmanaged
    {
        value = default;
        byte* source = State->XdpPointer(offset, sizeof(T), out int error);
        if (source == null) return error;
        value = Unsafe.ReadUnaligned<T>(source);
        return 0;
    }

    /// <summary><c>bpf_xdp_store_bytes</c> (helper 190, Linux 5.18): writes <paramref name="value"/> at <paramref name="offset"/>; errors as <see cref="LoadBytes{T}"/>.</summary>
    [BpfHelper(190, Programs = BpfProgramTypes.Xdp, AppendSizeOfRefArguments = true)]
    public int StoreBytes<T>(int offset, in T value) where T : unmanaged
    {
        byte* target = State->XdpPointer(offset, sizeof(T), out int error);
        if (target == null) return error;
        Unsafe.WriteUnaligned(target, value);
        return 0;
    }
}
