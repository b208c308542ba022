namespace CsBpf;

/// <summary>
/// The context of cgroup socket-address programs: <c>struct bpf_sock_addr</c> (include/uapi/linux/bpf.h), the
/// address a process passed to <c>connect()</c>, <c>bind()</c>, <c>sendmsg()</c>…, which the program may rewrite
/// before the kernel uses it. Only the fields of the hook's address family are accessible (<c>UserIp4</c> for
/// the <c>*4</c> hooks, <c>UserIp6Word*</c> for the <c>*6</c> ones); the verifier refuses the others. On the CLR a
/// context comes from a <see cref="SockAddrBuffer"/>.
/// </summary>
public readonly unsafe struct SockAddrContext : IBpfContext
{
    internal const int UserFamilyOffset = 0, UserIp4Offset = 4, UserIp6Offset = 8, UserPortOffset = 24;
    internal const int FamilyOffset = 28, TypeOffset = 32, ProtocolOffset = 36, MsgSrcIp4Offset = 40, MsgSrcIp6Offset = 44;

    private readonly byte* _context;

    internal SockAddrContext(byte* context) => _context = context;

    private ref uint Field(int offset)
    {
        if (_context == null) throw new InvalidOperationException("This context is not bound to an address: on the CLR create it with a SockAddrBuffer.");
        return ref PacketState.Field32(_context, offset);
    }

    /// <summary>The address family the caller passed (<c>user_family</c>: 2 <c>AF_INET</c>, 10 <c>AF_INET6</c>).</summary>
    [ContextField(UserFamilyOffset)] public uint UserFamily => Field(UserFamilyOffset);

    /// <summary>The IPv4 address, network byte order (<c>user_ip4</c>); writable: the kernel then uses the new one.</summary>
    [ContextField(UserIp4Offset)] public uint UserIp4 { get => Field(UserIp4Offset); set => Field(UserIp4Offset) = value; }

    /// <summary>Bytes 0–3 of the IPv6 address, network byte order (<c>user_ip6[0]</c>); writable.</summary>
    [ContextField(UserIp6Offset)] public uint UserIp6Word0 { get => Field(UserIp6Offset); set => Field(UserIp6Offset) = value; }

    /// <summary>Bytes 4–7 of the IPv6 address (<c>user_ip6[1]</c>); writable.</summary>
    [ContextField(UserIp6Offset + 4)] public uint UserIp6Word1 { get => Field(UserIp6Offset + 4); set => Field(UserIp6Offset + 4) = value; }

    /// <summary>Bytes 8–11 of the IPv6 address (<c>user_ip6[2]</c>); writable.</summary>
    [ContextField(UserIp6Offset + 8)] public uint UserIp6Word2 { get => Field(UserIp6Offset + 8); set => Field(UserIp6Offset + 8) = value; }

    /// <summary>Bytes 12–15 of the IPv6 address (<c>user_ip6[3]</c>); writable.</summary>
    [ContextField(UserIp6Offset + 12)] public uint UserIp6Word3 { get => Field(UserIp6Offset + 12); set => Field(UserIp6Offset + 12) = value; }

    /// <summary>The port, network byte order in the low 16 bits (<c>user_port</c>); writable.</summary>
    [ContextField(UserPortOffset)] public uint UserPort { get => Field(UserPortOffset); set => Field(UserPortOffset) = value; }

    /// <summary>The socket's address family (<c>family</c>).</summary>
    [ContextField(FamilyOffset)] public uint Family => Field(FamilyOffset);

    /// <summary>The socket type (<c>type</c>: 1 <c>SOCK_STREAM</c>, 2 <c>SOCK_DGRAM</c>).</summary>
    [ContextField(TypeOffset)] public uint Type => Field(TypeOffset);

    /// <summary>The socket's protocol (<c>protocol</c>: 6 TCP, 17 UDP).</summary>
    [ContextField(ProtocolOffset)] public uint Protocol => Field(ProtocolOffset);

    /// <summary>The IPv4 source address of a <c>sendmsg4</c> datagram, network byte order (<c>msg_src_ip4</c>); writable there.</summary>
    [ContextField(MsgSrcIp4Offset)] public uint MsgSrcIp4 { get => Field(MsgSrcIp4Offset); set => Field(MsgSrcIp4Offset) = value; }
}

/// <summary>
/// A <c>struct bpf_sock_addr</c> in native memory, so cgroup socket-address methods run on the CLR as in BPF
/// code: <see cref="Context"/> is bound to it, and the fields the program rewrote are read back here.
/// </summary>
public sealed unsafe class SockAddrBuffer : IDisposable
{
    private const int ImageSize = 72;
    private byte* _block;

    private SockAddrBuffer() => _block = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(ImageSize);

    /// <summary>An IPv4 address (network byte order) and port (host byte order) on a socket of <paramref name="type"/> and <paramref name="protocol"/>.</summary>
    public static SockAddrBuffer ForIPv4(uint address, ushort port, uint type = 1, uint protocol = 6)
    {
        var buffer = new SockAddrBuffer();
        buffer.Field(SockAddrContext.UserFamilyOffset) = buffer.Field(SockAddrContext.FamilyOffset) = 2; // AF_INET
        buffer.Field(SockAddrContext.UserIp4Offset) = address;
        buffer.Field(SockAddrContext.UserPortOffset) = Net.NetworkOrder.ToNetwork(port);
        buffer.Field(SockAddrContext.TypeOffset) = type;
        buffer.Field(SockAddrContext.ProtocolOffset) = protocol;
        return buffer;
    }

    /// <summary>The address as a program's context.</summary>
    public SockAddrContext Context => new(Block);

    /// <summary>The IPv4 address now (network byte order).</summary>
    public uint UserIp4 => Field(SockAddrContext.UserIp4Offset);

    /// <summary>The port now, host byte order.</summary>
    public ushort UserPort => Net.NetworkOrder.ToHost((ushort)Field(SockAddrContext.UserPortOffset));

    /// <summary>Frees the native memory.</summary>
    public void Dispose()
    {
        if (_block == null) return;
        System.Runtime.InteropServices.NativeMemory.Free(_block);
        _block = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native memory if <see cref="Dispose"/> was not called.</summary>
    ~SockAddrBuffer()
    {
        if (_block != null) System.Runtime.InteropServices.NativeMemory.Free(_block);
    }

    private byte* Block => _block != null ? _block : throw new ObjectDisposedException(nameof(SockAddrBuffer));
    private ref uint Field(int offset) => ref *(uint*)(Block + offset);
}
