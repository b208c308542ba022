using System.Buffers.Binary;

namespace CsBpf.Net;

/// <summary>
/// Conversions between network byte order (big-endian, as in packet headers) and host byte order
/// (little-endian on x86-64 and in BPF's <c>bpfel</c> target): <c>ntohs</c>/<c>htons</c>/<c>ntohl</c>/<c>htonl</c>.
/// In BPF code each call is one byte-swap instruction (<c>llvm.bswap</c>; folded away for constants).
/// </summary>
public static class NetworkOrder
{
    /// <summary><c>ntohs</c>: a 16-bit value read from a packet, in host order.</summary>
    [ByteSwapIntrinsic]
    public static ushort ToHost(ushort value) => BinaryPrimitives.ReverseEndianness(value);

    /// <summary><c>ntohl</c>: a 32-bit value read from a packet, in host order.</summary>
    [ByteSwapIntrinsic]
    public static uint ToHost(uint value) => BinaryPrimitives.ReverseEndianness(value);

    /// <summary>A 64-bit value read from a packet, in host order.</summary>
    [ByteSwapIntrinsic]
    public static ulong ToHost(ulong value) => BinaryPrimitives.ReverseEndianness(value);

    /// <summary><c>htons</c>: a 16-bit value in network order, to compare with or write into a packet.</summary>
    [ByteSwapIntrinsic]
    public static ushort ToNetwork(ushort value) => BinaryPrimitives.ReverseEndianness(value);

    /// <summary><c>htonl</c>: a 32-bit value in network order.</summary>
    [ByteSwapIntrinsic]
    public static uint ToNetwork(uint value) => BinaryPrimitives.ReverseEndianness(value);

    /// <summary>A 64-bit value in network order.</summary>
    [ByteSwapIntrinsic]
    public static ulong ToNetwork(ulong value) => BinaryPrimitives.ReverseEndianness(value);
}

/// <summary>Marks a method the compiler lowers to <c>llvm.bswap</c> of its single integer argument (the BPF target is little-endian).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ByteSwapIntrinsicAttribute : Attribute
{
}
