using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// What a context pointer points at when BPF code runs on the CLR (see <see cref="PacketBuffer"/>): the kernel
/// struct's image (<see cref="ImageSize"/> bytes with the scalar fields at their kernel offsets, so
/// <c>[ContextField]</c> properties read the same offsets the compiler loads from) followed by the packet
/// pointers, which in the kernel are 32-bit fields the verifier rewrites into pointers.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PacketState
{
    /// <summary>Bytes reserved for the kernel struct's image in front of the state (every context struct is smaller).</summary>
    public const int ImageSize = 256;

    /// <summary><c>ETH_HLEN</c>: the XDP helpers never leave less than an Ethernet header.</summary>
    public const int EthernetHeaderLength = 14;

    /// <summary>Start of the buffer (<c>xdp-&gt;data_hard_start</c>, <c>skb-&gt;head</c>).</summary>
    public byte* HardStart;
    /// <summary>First packet byte.</summary>
    public byte* Data;
    /// <summary>One past the last packet byte.</summary>
    public byte* DataEnd;
    /// <summary>XDP metadata in front of <see cref="Data"/> (equal to it when there is none).</summary>
    public byte* DataMeta;
    /// <summary>How far the tail may grow (<c>xdp_data_hard_end</c>: the frame minus the shared-info tailroom).</summary>
    public byte* HardEnd;

    /// <summary>The state behind a context pointer.</summary>
    public static PacketState* Of(byte* context)
    {
        if (context == null)
            throw new InvalidOperationException("This context is not bound to a packet: on the CLR create it with a PacketBuffer (PacketBuffer.ForXdp/ForTc/...).");
        return (PacketState*)(context + ImageSize);
    }

    /// <summary>The 32-bit field at <paramref name="offset"/> of the kernel struct's image.</summary>
    public static ref uint Field32(byte* context, int offset) => ref *(uint*)(context + offset);

    /// <summary>The 64-bit field at <paramref name="offset"/> of the kernel struct's image.</summary>
    public static ref ulong Field64(byte* context, int offset) => ref *(ulong*)(context + offset);

    /// <summary>What the compiler's <see cref="PacketOperation.GetRef"/> expansion computes.</summary>
    public static ref T GetRef<T>(byte* data, byte* dataEnd, int offset) where T : unmanaged
    {
        if ((uint)offset > 0xFFFF - (uint)sizeof(T) || data + offset + sizeof(T) > dataEnd) return ref Unsafe.NullRef<T>();
        return ref Unsafe.AsRef<T>(data + offset);
    }

    /// <summary><c>bpf_xdp_adjust_head</c> (net/core/filter.c): move <see cref="Data"/> by <paramref name="delta"/>,
    /// keeping room for the <c>xdp_frame</c> (40 bytes) in front and an Ethernet header behind.</summary>
    public int XdpAdjustHead(int delta)
    {
        byte* frameEnd = HardStart + XdpFrameSize;
        long metaLength = Data - DataMeta;
        byte* data = Data + delta;
        if (data < frameEnd + metaLength || data > DataEnd - EthernetHeaderLength) return -Errno.EINVAL;
        if (metaLength != 0) Buffer.MemoryCopy(DataMeta, DataMeta + delta, metaLength, metaLength);
        DataMeta += delta;
        Data = data;
        return 0;
    }

    /// <summary><c>bpf_xdp_adjust_tail</c>: move <see cref="DataEnd"/>, zeroing what a growing tail exposes.</summary>
    public int XdpAdjustTail(int delta)
    {
        byte* end = DataEnd + delta;
        if (end > HardEnd || end < Data + EthernetHeaderLength) return -Errno.EINVAL;
        if (delta > 0) new Span<byte>(DataEnd, delta).Clear();
        DataEnd = end;
        return 0;
    }

    /// <summary><c>bpf_xdp_adjust_meta</c>: move <see cref="DataMeta"/>; the metadata must stay a multiple of 4 bytes, at most 252.</summary>
    public int XdpAdjustMeta(int delta)
    {
        byte* meta = DataMeta + delta;
        long length = Data - meta;
        if (meta < HardStart + XdpFrameSize || meta > Data) return -Errno.EINVAL;
        if ((length & 3) != 0 || length > 255) return -Errno.EACCES;
        DataMeta = meta;
        return 0;
    }

    /// <summary><c>bpf_xdp_load_bytes</c>/<c>bpf_xdp_store_bytes</c> bounds (<c>bpf_xdp_pointer</c>): the address or an errno.</summary>
    public byte* XdpPointer(int offset, int length, out int error)
    {
        error = 0;
        if ((uint)offset > 0xFFFF || (uint)length > 0xFFFF) { error = -Errno.EFAULT; return null; }
        if ((long)(uint)offset + length > DataEnd - Data) { error = -Errno.EINVAL; return null; }
        return Data + offset;
    }

    /// <summary><c>sizeof(struct xdp_frame)</c> on 64-bit kernels: the headroom XDP keeps for converting the buffer into a frame.</summary>
    public const int XdpFrameSize = 40;
}

/// <summary>The errno values the CLR emulation of helpers returns (negated, as the helpers do).</summary>
internal static class Errno
{
    public const int EFAULT = 14;
    public const int EINVAL = 22;
    public const int EACCES = 13;
    public const int ENOTSUPP = 524;
}
