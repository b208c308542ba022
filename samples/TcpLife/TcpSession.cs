using CsBpf;

namespace Samples.TcpLife;

/// <summary>One closed TCP session, as the ring buffer carries it to the host.</summary>
public struct TcpSession
{
    /// <summary>From the first state change seen (SYN_SENT, SYN_RECV or ESTABLISHED) to CLOSE, in nanoseconds.</summary>
    public ulong DurationNs;

    /// <summary>When it closed (<c>bpf_ktime_get_ns</c>), for the timestamp column.</summary>
    public ulong ClosedNs;

    /// <summary>Bytes received (<c>tcp_sock.bytes_received</c>).</summary>
    public ulong ReceivedBytes;

    /// <summary>Bytes sent and acknowledged by the peer (<c>tcp_sock.bytes_acked</c>).</summary>
    public ulong AckedBytes;

    /// <summary>The process that opened (connect) or closed last (server side) the session, best effort.</summary>
    public uint Pid;

    /// <summary><c>AF_INET</c> (2) or <c>AF_INET6</c> (10).</summary>
    public ushort Family;

    /// <summary>The local port.</summary>
    public ushort LocalPort;

    /// <summary>The remote port.</summary>
    public ushort RemotePort;

    /// <summary>The IPv4 local address, in network order.</summary>
    public InetSockSetState.SaddrArray LocalAddress;

    /// <summary>The IPv4 remote address, in network order.</summary>
    public InetSockSetState.DaddrArray RemoteAddress;

    /// <summary>The IPv6 local address.</summary>
    public InetSockSetState.SaddrV6Array LocalAddress6;

    /// <summary>The IPv6 remote address.</summary>
    public InetSockSetState.DaddrV6Array RemoteAddress6;

    /// <summary>The command name of <see cref="Pid"/>'s thread.</summary>
    public TaskComm Comm;
}

/// <summary>Who is behind a socket: cached when the state change runs in the owner's context.</summary>
public struct SocketOwner
{
    /// <summary>The process id.</summary>
    public uint Pid;

    /// <summary>Its thread's command name.</summary>
    public TaskComm Comm;
}
