using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// A packet in native memory laid out the way the kernel hands it to a program, so XDP, tc and socket-filter
/// methods run on the CLR exactly as in BPF code (for unit tests without a kernel, and for comparing with
/// <c>BPF_PROG_TEST_RUN</c>): <see cref="Xdp"/> and <see cref="SkBuff"/> are contexts bound to it, and the
/// helpers' CLR bodies (<see cref="XdpContext.AdjustHead"/>, <see cref="SkBuffContext.StoreBytes{T}"/>…) move and
/// rewrite it with the kernel's rules. Read the result back with <see cref="ToArray"/>.
/// </summary>
public sealed unsafe class PacketBuffer : IDisposable
{
    /// <summary>The XDP frame size of <c>BPF_PROG_TEST_RUN</c> and most drivers (a page).</summary>
    public const int XdpFrameSize = 4096;

    /// <summary><c>XDP_PACKET_HEADROOM</c>: the room in front of an XDP packet that <see cref="XdpContext.AdjustHead"/> can claim.</summary>
    public const int XdpHeadroom = 256;

    /// <summary><c>SKB_DATA_ALIGN(sizeof(struct skb_shared_info))</c> on x86-64: the end of an XDP frame the tail cannot grow into.</summary>
    public const int XdpTailReserve = 320;

    /// <summary><c>NET_SKB_PAD</c>: the headroom of an <c>sk_buff</c> built by <c>BPF_PROG_TEST_RUN</c>.</summary>
    public const int SkbHeadroom = 64;

    private readonly int _blockSize;
    private byte* _block;

    private PacketBuffer(int bufferSize)
    {
        _blockSize = PacketState.ImageSize + sizeof(PacketState) + bufferSize;
        _block = (byte*)NativeMemory.AllocZeroed((nuint)_blockSize);
    }

    /// <summary>
    /// An XDP packet: <paramref name="frame"/> (from the Ethernet header) after <see cref="XdpHeadroom"/> bytes of
    /// headroom in a <see cref="XdpFrameSize"/>-byte frame, as <c>BPF_PROG_TEST_RUN</c> builds it.
    /// </summary>
    /// <param name="frame">The packet, at least an Ethernet header (14 bytes) and at most what fits the frame.</param>
    /// <param name="ingressIfindex">What <see cref="XdpContext.IngressIfindex"/> reads.</param>
    /// <param name="rxQueueIndex">What <see cref="XdpContext.RxQueueIndex"/> reads.</param>
    public static PacketBuffer ForXdp(ReadOnlySpan<byte> frame, uint ingressIfindex = 1, uint rxQueueIndex = 0)
    {
        if (frame.Length < PacketState.EthernetHeaderLength || frame.Length > XdpFrameSize - XdpHeadroom - XdpTailReserve)
            throw new ArgumentOutOfRangeException(nameof(frame), frame.Length,
                $"An XDP packet has between {PacketState.EthernetHeaderLength} and {XdpFrameSize - XdpHeadroom - XdpTailReserve} bytes.");
        var buffer = new PacketBuffer(XdpFrameSize);
        PacketState* state = buffer.State;
        state->HardStart = buffer.Buffer;
        state->Data = state->DataMeta = buffer.Buffer + XdpHeadroom;
        state->DataEnd = state->Data + frame.Length;
        state->HardEnd = buffer.Buffer + XdpFrameSize - XdpTailReserve;
        frame.CopyTo(new Span<byte>(state->Data, frame.Length));
        PacketState.Field32(buffer._block, XdpContext.IngressIfindexOffset) = ingressIfindex;
        PacketState.Field32(buffer._block, XdpContext.RxQueueIndexOffset) = rxQueueIndex;
        return buffer;
    }

    /// <summary>
    /// An <c>sk_buff</c> as a tc program sees it: <paramref name="frame"/> from the Ethernet header, with
    /// <see cref="SkBuffContext.Len"/> and <see cref="SkBuffContext.Protocol"/> set from it (as <c>eth_type_trans</c> does).
    /// </summary>
    /// <param name="frame">The packet, at least an Ethernet header.</param>
    /// <param name="ifindex">What <see cref="SkBuffContext.Ifindex"/> reads.</param>
    /// <param name="mark">The initial <see cref="SkBuffContext.Mark"/>.</param>
    public static PacketBuffer ForTc(ReadOnlySpan<byte> frame, uint ifindex = 1, uint mark = 0)
    {
        if (frame.Length < PacketState.EthernetHeaderLength)
            throw new ArgumentOutOfRangeException(nameof(frame), frame.Length, "A tc packet starts with an Ethernet header (14 bytes).");
        // skb->protocol is the EtherType as stored (big-endian); __sk_buff.protocol reads those two bytes as a u32.
        return ForSkb(frame, ifindex, mark, BinaryPrimitives.ReadUInt16LittleEndian(frame[12..]));
    }

    /// <summary>
    /// An <c>sk_buff</c> as a socket filter or cgroup_skb program sees it: <paramref name="packet"/> from the header
    /// the kernel hands over (the IP header for cgroup_skb, the transport header for UDP/TCP socket filters).
    /// </summary>
    /// <param name="packet">The packet bytes the program sees.</param>
    /// <param name="protocol">The network protocol as <see cref="SkBuffContext.Protocol"/> reads it (the EtherType in network byte order, e.g. <c>NetworkOrder.ToNetwork(EtherTypes.IPv4)</c>).</param>
    /// <param name="ifindex">What <see cref="SkBuffContext.Ifindex"/> reads.</param>
    public static PacketBuffer ForSocket(ReadOnlySpan<byte> packet, ushort protocol = 0, uint ifindex = 1) =>
        ForSkb(packet, ifindex, 0, protocol);

    private static PacketBuffer ForSkb(ReadOnlySpan<byte> packet, uint ifindex, uint mark, uint protocol)
    {
        var buffer = new PacketBuffer(SkbHeadroom + packet.Length);
        PacketState* state = buffer.State;
        state->HardStart = buffer.Buffer;
        state->Data = state->DataMeta = buffer.Buffer + SkbHeadroom;
        state->DataEnd = state->HardEnd = state->Data + packet.Length;
        packet.CopyTo(new Span<byte>(state->Data, packet.Length));
        PacketState.Field32(buffer._block, SkBuffContext.LenOffset) = (uint)packet.Length;
        PacketState.Field32(buffer._block, SkBuffContext.ProtocolOffset) = protocol;
        PacketState.Field32(buffer._block, SkBuffContext.MarkOffset) = mark;
        PacketState.Field32(buffer._block, SkBuffContext.IfindexOffset) = ifindex;
        PacketState.Field32(buffer._block, SkBuffContext.IngressIfindexOffset) = ifindex;
        return buffer;
    }

    /// <summary>The packet as an XDP program's context.</summary>
    public XdpContext Xdp => new(Block);

    /// <summary>The packet as a tc, socket filter or cgroup_skb program's context.</summary>
    public SkBuffContext SkBuff => new(Block);

    /// <summary>The packet's current bytes (from <c>data</c> to <c>data_end</c>), valid until the next change or <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Data => new(State->Data, Length);

    /// <summary>The XDP metadata in front of the packet (<c>data_meta</c> to <c>data</c>; empty unless <see cref="XdpContext.AdjustMeta"/> reserved some).</summary>
    public ReadOnlySpan<byte> Metadata => new(State->DataMeta, (int)(State->Data - State->DataMeta));

    /// <summary>The packet's current length.</summary>
    public int Length => (int)(State->DataEnd - State->Data);

    /// <summary>A copy of the packet's current bytes.</summary>
    public byte[] ToArray() => Data.ToArray();

    /// <summary>Frees the native memory. The contexts made from this buffer must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_block == null) return;
        NativeMemory.Free(_block);
        _block = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native memory if <see cref="Dispose"/> was not called.</summary>
    ~PacketBuffer()
    {
        if (_block != null) NativeMemory.Free(_block);
    }

    private byte* Block => _block != null ? _block : throw new ObjectDisposedException(nameof(PacketBuffer));
    private PacketState* State => PacketState.Of(Block);
    private byte* Buffer => Block + PacketState.ImageSize + sizeof(PacketState);
}
