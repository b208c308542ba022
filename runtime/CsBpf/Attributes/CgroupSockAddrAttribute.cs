namespace CsBpf;

/// <summary>
/// A cgroup socket-address program (<c>BPF_PROG_TYPE_CGROUP_SOCK_ADDR</c>, section <c>cgroup/&lt;hook&gt;</c>):
/// runs when a process of the cgroup calls <c>connect()</c>, <c>bind()</c>, <c>sendmsg()</c>… with the address it
/// passed, which the program may read and rewrite (<see cref="SockAddrContext.UserIp4"/>,
/// <see cref="SockAddrContext.UserPort"/>). The method must be <c>static int M(SockAddrContext ctx)</c> and
/// return 1 to proceed or 0 to refuse the call with <c>EPERM</c> (<c>recvmsg</c> hooks must return 1). Attach
/// with <c>BpfProgramHandle.AttachCgroup(cgroupPath)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.CgroupSockAddr)]
public sealed class CgroupSockAddrAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="hook">The system call and address family, e.g. <see cref="SockAddrHook.Connect4"/>.</param>
    public CgroupSockAddrAttribute(SockAddrHook hook) => Hook = hook;

    /// <summary>The system call and address family.</summary>
    public SockAddrHook Hook { get; }
}

/// <summary>The socket-address hooks (libbpf section <c>cgroup/&lt;name&gt;</c>, attach type <c>BPF_CGROUP_INET*_*</c>/<c>BPF_CGROUP_UDP*_*</c>).</summary>
public enum SockAddrHook
{
    /// <summary><c>bind()</c> of an IPv4 socket (<c>cgroup/bind4</c>).</summary>
    Bind4,
    /// <summary><c>bind()</c> of an IPv6 socket (<c>cgroup/bind6</c>).</summary>
    Bind6,
    /// <summary><c>connect()</c> of an IPv4 socket (<c>cgroup/connect4</c>).</summary>
    Connect4,
    /// <summary><c>connect()</c> of an IPv6 socket (<c>cgroup/connect6</c>).</summary>
    Connect6,
    /// <summary><c>sendmsg()</c>/<c>sendto()</c> on an unconnected UDP IPv4 socket (<c>cgroup/sendmsg4</c>).</summary>
    SendMsg4,
    /// <summary><c>sendmsg()</c>/<c>sendto()</c> on an unconnected UDP IPv6 socket (<c>cgroup/sendmsg6</c>).</summary>
    SendMsg6,
    /// <summary><c>recvmsg()</c>/<c>recvfrom()</c> on a UDP IPv4 socket: may rewrite the source address reported (<c>cgroup/recvmsg4</c>).</summary>
    RecvMsg4,
    /// <summary><c>recvmsg()</c>/<c>recvfrom()</c> on a UDP IPv6 socket (<c>cgroup/recvmsg6</c>).</summary>
    RecvMsg6,
    /// <summary><c>getpeername()</c> of an IPv4 socket (<c>cgroup/getpeername4</c>, Linux 5.8).</summary>
    GetPeerName4,
    /// <summary><c>getpeername()</c> of an IPv6 socket (<c>cgroup/getpeername6</c>).</summary>
    GetPeerName6,
    /// <summary><c>getsockname()</c> of an IPv4 socket (<c>cgroup/getsockname4</c>).</summary>
    GetSockName4,
    /// <summary><c>getsockname()</c> of an IPv6 socket (<c>cgroup/getsockname6</c>).</summary>
    GetSockName6,
}
