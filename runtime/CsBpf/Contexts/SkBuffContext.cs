using System.Runtime.CompilerServices;

namespace CsBpf;

/// <summary>
/// The context of tc, socket filter and cgroup_skb programs: <c>struct __sk_buff</c> (include/uapi/linux/bpf.h),
/// the kernel's view of an <c>sk_buff</c>. Which fields a program may read or write depends on its type (the
/// verifier refuses the others at load, naming the offset): tc programs may write <see cref="Mark"/>,
/// <see cref="Priority"/>, <see cref="TcIndex"/>, <see cref="TcClassid"/>, <see cref="QueueMapping"/> and the
/// <c>Cb*</c> scratch words; cgroup_skb programs <see cref="Mark"/>, <see cref="Priority"/> and <c>Cb*</c>; socket
/// filters only <c>Cb*</c>. Direct packet access (<see cref="GetRef{T}"/>) works in tc (read-write) and
/// cgroup_skb (read-only) programs; socket filters read the packet with <see cref="LoadBytes{T}"/>.
/// On the CLR a context comes from a <see cref="PacketBuffer"/>.
/// </summary>
public readonly unsafe struct SkBuffContext : IBpfContext
{
    internal const int LenOffset = 0, MarkOffset = 8, ProtocolOffset = 16, IngressIfindexOffset = 36, IfindexOffset = 40;
    internal const int DataOffset = 76, DataEndOffset = 80, DataMetaOffset = 140;

    /// <summary>Program types with direct packet access (<c>data</c>/<c>data_end</c>): not socket filters.</summary>
    private const BpfProgramTypes DirectPacketAccess = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.CgroupSkb | BpfProgramTypes.SkSkb;

    /// <summary>Program types that see the socket fields (<c>family</c> … <c>local_port</c>).</summary>
    private const BpfProgramTypes SocketFields = BpfProgramTypes.CgroupSkb | BpfProgramTypes.SkSkb;

    private readonly byte* _context;

    internal SkBuffContext(byte* context) => _context = context;

    private PacketState* State => PacketState.Of(_context);
    private ref uint Field(int offset) => ref PacketState.Field32(_context, offset);

    /// <summary>The packet's length in bytes, including non-linear data (<c>len</c>).</summary>
    [ContextField(LenOffset)] public uint Len => Field(LenOffset);

    /// <summary>The packet type (<c>pkt_type</c>: 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing).</summary>
    [ContextField(4)] public uint PktType => Field(4);

    /// <summary>The firewall mark (<c>mark</c>), shared with netfilter and routing rules; writable by tc and cgroup_skb programs.</summary>
    [ContextAccess(Write = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.CgroupSkb)]
    [ContextField(MarkOffset)] public uint Mark { get => Field(MarkOffset); set => Field(MarkOffset) = value; }

    /// <summary>The transmit queue (<c>queue_mapping</c>); writable by tc programs.</summary>
    [ContextAccess(Write = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    [ContextField(12)] public uint QueueMapping { get => Field(12); set => Field(12) = value; }

    /// <summary>The EtherType in network byte order (<c>protocol</c>): compare with <c>NetworkOrder.ToNetwork(EtherTypes.IPv4)</c>.</summary>
    [ContextField(ProtocolOffset)] public uint Protocol => Field(ProtocolOffset);

    /// <summary>1 when the packet carries a VLAN tag outside its data (<c>vlan_present</c>).</summary>
    [ContextField(20)] public uint VlanPresent => Field(20);

    /// <summary>The VLAN tag control information (<c>vlan_tci</c>).</summary>
    [ContextField(24)] public uint VlanTci => Field(24);

    /// <summary>The VLAN protocol, network byte order (<c>vlan_proto</c>).</summary>
    [ContextField(28)] public uint VlanProto => Field(28);

    /// <summary>The queueing priority (<c>priority</c>); writable by tc and cgroup_skb programs.</summary>
    [ContextAccess(Write = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.CgroupSkb)]
    [ContextField(32)] public uint Priority { get => Field(32); set => Field(32) = value; }

    /// <summary>The interface the packet was received on (<c>ingress_ifindex</c>).</summary>
    [ContextField(IngressIfindexOffset)] public uint IngressIfindex => Field(IngressIfindexOffset);

    /// <summary>The interface the packet is on now (<c>ifindex</c>).</summary>
    [ContextField(IfindexOffset)] public uint Ifindex => Field(IfindexOffset);

    /// <summary>The traffic-control index (<c>tc_index</c>); writable by tc programs.</summary>
    [ContextAccess(Write = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    [ContextField(44)] public uint TcIndex { get => Field(44); set => Field(44) = value; }

    /// <summary>Scratch word 0 of <c>cb[5]</c>, passed between programs that see the same packet; writable.</summary>
    [ContextAccess(Write = BpfProgramTypes.AllSkb)]
    [ContextField(48)] public uint Cb0 { get => Field(48); set => Field(48) = value; }

    /// <summary>Scratch word 1 of <c>cb[5]</c>.</summary>
    [ContextAccess(Write = BpfProgramTypes.AllSkb)]
    [ContextField(52)] public uint Cb1 { get => Field(52); set => Field(52) = value; }

    /// <summary>Scratch word 2 of <c>cb[5]</c>.</summary>
    [ContextAccess(Write = BpfProgramTypes.AllSkb)]
    [ContextField(56)] public uint Cb2 { get => Field(56); set => Field(56) = value; }

    /// <summary>Scratch word 3 of <c>cb[5]</c>.</summary>
    [ContextAccess(Write = BpfProgramTypes.AllSkb)]
    [ContextField(60)] public uint Cb3 { get => Field(60); set => Field(60) = value; }

    /// <summary>Scratch word 4 of <c>cb[5]</c>.</summary>
    [ContextAccess(Write = BpfProgramTypes.AllSkb)]
    [ContextField(64)] public uint Cb4 { get => Field(64); set => Field(64) = value; }

    /// <summary>The flow hash (<c>hash</c>; 0 when not computed yet).</summary>
    [ContextField(68)] public uint Hash => Field(68);

    /// <summary>The tc class id (<c>tc_classid</c>); writable by tc programs.</summary>
    [ContextAccess(Read = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct, Write = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    [ContextField(72)] public uint TcClassid { get => Field(72); set => Field(72) = value; }

    /// <summary>The first byte of the linear packet data (<c>data</c>); tc and cgroup_skb programs only. Prefer <see cref="GetRef{T}"/>.</summary>
    [ContextAccess(Read = DirectPacketAccess)]
    [ContextField(DataOffset, Size = 4)] public byte* Data => State->Data;

    /// <summary>One past the last byte of the linear packet data (<c>data_end</c>).</summary>
    [ContextAccess(Read = DirectPacketAccess)]
    [ContextField(DataEndOffset, Size = 4)] public byte* DataEnd => State->DataEnd;

    /// <summary>The NAPI id the packet was received through (<c>napi_id</c>).</summary>
    [ContextField(84)] public uint NapiId => Field(84);

    /// <summary>The socket's address family (<c>family</c>), for programs that see a socket (cgroup_skb, sk_skb).</summary>
    [ContextAccess(Read = SocketFields)]
    [ContextField(88)] public uint Family => Field(88);

    /// <summary>The socket's remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [ContextAccess(Read = SocketFields)]
    [ContextField(92)] public uint RemoteIp4 => Field(92);

    /// <summary>The socket's local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [ContextAccess(Read = SocketFields)]
    [ContextField(96)] public uint LocalIp4 => Field(96);

    /// <summary>The socket's remote port, network byte order in the low 16 bits (<c>remote_port</c>).</summary>
    [ContextAccess(Read = SocketFields)]
    [ContextField(132)] public uint RemotePort => Field(132);

    /// <summary>The socket's local port, host byte order (<c>local_port</c>).</summary>
    [ContextAccess(Read = SocketFields)]
    [ContextField(136)] public uint LocalPort => Field(136);

    /// <summary>The start of the metadata an XDP program left in front of the packet (<c>data_meta</c>); tc only.</summary>
    [ContextAccess(Read = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    [ContextField(DataMetaOffset, Size = 4)] public byte* DataMeta => State->DataMeta;

    /// <summary>The packet's timestamp in nanoseconds (<c>tstamp</c>); writable by tc programs (earliest departure time).</summary>
    [ContextAccess(Read = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.CgroupSkb | BpfProgramTypes.SkSkb, Write = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.CgroupSkb)]
    [ContextField(152)] public ulong Tstamp { get => PacketState.Field64(_context, 152); set => PacketState.Field64(_context, 152) = value; }

    /// <summary>The packet's length on the wire (<c>wire_len</c>).</summary>
    [ContextAccess(Read = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.SkSkb)]
    [ContextField(160)] public uint WireLen => Field(160);

    /// <summary>The number of GSO segments (<c>gso_segs</c>).</summary>
    [ContextField(164)] public uint GsoSegs => Field(164);

    /// <summary>The GSO segment size (<c>gso_size</c>).</summary>
    [ContextField(176)] public uint GsoSize => Field(176);

    /// <summary>
    /// The linear packet bytes at <paramref name="offset"/> as a <typeparamref name="T"/>, or a null reference when
    /// the linear data is too short (see <see cref="XdpContext.GetRef{T}"/>). tc programs may write through it;
    /// cgroup_skb programs only read; socket filters cannot use it (use <see cref="LoadBytes{T}"/>). Headers beyond
    /// the linear part need <see cref="PullData"/> first. References are stale after helpers that change the
    /// packet (<see cref="StoreBytes{T}"/>, the checksum helpers, <see cref="PullData"/>…): get them again.
    /// </summary>
    [PacketIntrinsic(PacketOperation.GetRef, DataOffset = DataOffset, DataEndOffset = DataEndOffset)]
    [ContextAccess(Read = DirectPacketAccess)]
    public ref T GetRef<T>(int offset) where T : unmanaged => ref PacketState.GetRef<T>(Data, DataEnd, offset);

    /// <summary>The length of the linear packet data, <c>data_end - data</c> (at most <see cref="Len"/>).</summary>
    [PacketIntrinsic(PacketOperation.Length, DataOffset = DataOffset, DataEndOffset = DataEndOffset)]
    [ContextAccess(Read = DirectPacketAccess)]
    public int Length => (int)(DataEnd - Data);

    /// <summary>
    /// <c>bpf_skb_load_bytes</c> (helper 26): copies <c>sizeof(T)</c> packet bytes at <paramref name="offset"/> into
    /// <paramref name="value"/>, from linear or paged data. Returns 0, or -EFAULT (-14) past the end, leaving
    /// <paramref name="value"/> zeroed.
    /// </summary>
    [BpfHelper(26, Programs = BpfProgramTypes.AllSkb, AppendSizeOfRefArguments = true)]
    public int LoadBytes<T>(int offset, out T value) where T : unmanaged
    {
        value = default;
        if ((uint)offset > int.MaxValue || (long)offset + sizeof(T) > State->DataEnd - State->Data) return -Errno.EFAULT;
        value = Unsafe.ReadUnaligned<T>(State->Data + offset);
        return 0;
    }

    /// <summary>
    /// <c>bpf_skb_store_bytes</c> (helper 9): writes <paramref name="value"/> at <paramref name="offset"/>. Returns 0,
    /// -EFAULT (-14) past the end, -EINVAL (-22) for unknown flags.
    /// </summary>
    [BpfHelper(9, Programs = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.SkSkb, AppendSizeOfRefArguments = true)]
    public int StoreBytes<T>(int offset, in T value, StoreBytesFlags flags = StoreBytesFlags.None) where T : unmanaged
    {
        if ((flags & ~(StoreBytesFlags.RecomputeChecksum | StoreBytesFlags.InvalidateHash)) != 0) return -Errno.EINVAL;
        if ((uint)offset > int.MaxValue || (long)offset + sizeof(T) > State->DataEnd - State->Data) return -Errno.EFAULT;
        Unsafe.WriteUnaligned(State->Data + offset, value);
        if ((flags & StoreBytesFlags.InvalidateHash) != 0) Field(68) = 0;
        return 0;
    }

    /// <summary>
    /// <c>bpf_l3_csum_replace</c> (helper 10): updates the 16-bit one's-complement checksum at <paramref name="offset"/>
    /// (e.g. an IPv4 header's, at 14 + 10) for a field that changed from <paramref name="from"/> to <paramref name="to"/>,
    /// both as they are in the packet (network byte order) and <paramref name="size"/> 2 or 4 bytes wide (0: <paramref name="to"/>
    /// is a <see cref="Bpf.CsumDiff"/> result and <paramref name="from"/> must be 0). Call it before or after writing the
    /// field. Returns 0, -EFAULT (-14) for an odd or out-of-packet offset, -EINVAL (-22) for a bad size.
    /// </summary>
    [BpfHelper(10, Programs = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    public int L3CsumReplace(int offset, ulong from, ulong to, ulong size)
    {
        if ((size & ~0xFUL) != 0) return -Errno.EINVAL;
        if ((uint)offset > 0xFFFF || (offset & 1) != 0 || offset + 2 > State->DataEnd - State->Data) return -Errno.EFAULT;
        ushort* sum = (ushort*)(State->Data + offset);
        switch (size)
        {
            case 0:
                if (from != 0) return -Errno.EINVAL;
                *sum = InetChecksum.ReplaceByDiff(*sum, (uint)to);
                break;
            case 2: *sum = InetChecksum.Replace2(*sum, (ushort)from, (ushort)to); break;
            case 4: *sum = InetChecksum.Replace4(*sum, (uint)from, (uint)to); break;
            default: return -Errno.EINVAL;
        }
        return 0;
    }

    /// <summary>
    /// <c>bpf_l4_csum_replace</c> (helper 11): like <see cref="L3CsumReplace"/> for a TCP/UDP checksum; the low 4 bits of
    /// <paramref name="flags"/> are the size (2 or 4, 0 for a diff) and <see cref="L4CsumFlags"/> the rest: add
    /// <see cref="L4CsumFlags.PseudoHeader"/> when the changed field is part of the pseudo-header (an IP address),
    /// <see cref="L4CsumFlags.MarkMangled0"/> for UDP (a zero checksum means "none" and stays so; a result of 0 becomes 0xFFFF).
    /// </summary>
    [BpfHelper(11, Programs = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct)]
    public int L4CsumReplace(int offset, ulong from, ulong to, L4CsumFlags flags)
    {
        const ulong known = 0xF | (ulong)(L4CsumFlags.MarkMangled0 | L4CsumFlags.MarkEnforce | L4CsumFlags.PseudoHeader | L4CsumFlags.IPv6);
        if (((ulong)flags & ~known) != 0) return -Errno.EINVAL;
        if ((uint)offset > 0xFFFF || (offset & 1) != 0 || offset + 2 > State->DataEnd - State->Data) return -Errno.EFAULT;
        ushort* sum = (ushort*)(State->Data + offset);
        bool mangled0 = (flags & L4CsumFlags.MarkMangled0) != 0;
        if (mangled0 && (flags & L4CsumFlags.MarkEnforce) == 0 && *sum == 0) return 0;
        // The sk_buff of a CLR run has no checksum offload (CHECKSUM_NONE, as in BPF_PROG_TEST_RUN): the
        // pseudo-header flag changes nothing then (inet_proto_csum_replace4).
        switch ((ulong)flags & 0xF)
        {
            case 0:
                if (from != 0) return -Errno.EINVAL;
                *sum = InetChecksum.ReplaceByDiff(*sum, (uint)to);
                break;
            case 2: *sum = InetChecksum.Replace4(*sum, (ushort)from, (ushort)to); break;
            case 4: *sum = InetChecksum.Replace4(*sum, (uint)from, (uint)to); break;
            default: return -Errno.EINVAL;
        }
        if (mangled0 && *sum == 0) *sum = 0xFFFF;
        return 0;
    }

    /// <summary>
    /// <c>bpf_skb_pull_data</c> (helper 39): makes the first <paramref name="length"/> bytes (all, for 0) linear and
    /// writable so <see cref="GetRef{T}"/> reaches them. Returns 0 or a negative errno. On the CLR the packet is always linear.
    /// </summary>
    [BpfHelper(39, Programs = BpfProgramTypes.SchedCls | BpfProgramTypes.SchedAct | BpfProgramTypes.SkSkb)]
    public int PullData(uint length) => length <= Len ? 0 : -Errno.EFAULT;
}

/// <summary>Flags of <see cref="SkBuffContext.StoreBytes{T}"/>.</summary>
[Flags]
public enum StoreBytesFlags : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>BPF_F_RECOMPUTE_CSUM</c>: update <c>skb-&gt;csum</c> for a CHECKSUM_COMPLETE packet.</summary>
    RecomputeChecksum = 1,
    /// <summary><c>BPF_F_INVALIDATE_HASH</c>: clear the flow hash.</summary>
    InvalidateHash = 2,
}

/// <summary>Flags of <see cref="SkBuffContext.L4CsumReplace"/> besides the size in the low 4 bits.</summary>
[Flags]
public enum L4CsumFlags : ulong
{
    /// <summary>A diff (<see cref="Bpf.CsumDiff"/>) rather than a replaced field.</summary>
    Diff = 0,
    /// <summary>The field is 2 bytes wide.</summary>
    Size2 = 2,
    /// <summary>The field is 4 bytes wide.</summary>
    Size4 = 4,
    /// <summary><c>BPF_F_MARK_MANGLED_0</c>: UDP semantics of a zero checksum.</summary>
    MarkMangled0 = 1 << 5,
    /// <summary><c>BPF_F_PSEUDO_HDR</c>: the field is part of the pseudo-header.</summary>
    PseudoHeader = 1 << 4,
    /// <summary><c>BPF_F_MARK_ENFORCE</c>: with <see cref="MarkMangled0"/>, update even a zero checksum.</summary>
    MarkEnforce = 1 << 6,
    /// <summary><c>BPF_F_IPV6</c> (Linux 6.16): the diff belongs to an IPv6 packet.</summary>
    IPv6 = 1 << 7,
}
