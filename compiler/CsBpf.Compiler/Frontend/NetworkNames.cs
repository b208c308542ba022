namespace CsBpf.Compiler.Frontend;

/// <summary>Metadata names of the network program-side API (runtime/CsBpf: attributes, contexts, packet intrinsics).</summary>
internal static class NetworkNames
{
    public const string XdpAttribute = "CsBpf.XdpAttribute";
    public const string TcAttribute = "CsBpf.TcAttribute";
    public const string SocketFilterAttribute = "CsBpf.SocketFilterAttribute";
    public const string CgroupSkbAttribute = "CsBpf.CgroupSkbAttribute";
    public const string CgroupSockAddrAttribute = "CsBpf.CgroupSockAddrAttribute";
    public const string XdpContext = "CsBpf.XdpContext";
    public const string SkBuffContext = "CsBpf.SkBuffContext";
    public const string SockAddrContext = "CsBpf.SockAddrContext";
    public const string XdpAction = "CsBpf.XdpAction";
    public const string TcAction = "CsBpf.TcAction";
    public const string PacketIntrinsicAttribute = "CsBpf.PacketIntrinsicAttribute";
    public const string ByteSwapIntrinsicAttribute = "CsBpf.Net.ByteSwapIntrinsicAttribute";
    public const string BinaryPrimitives = "System.Buffers.Binary.BinaryPrimitives";
}
