using System.Runtime.CompilerServices;
using CsBpf;

namespace Samples.TcpLife;

/// <summary>
/// tcplife (BCC) in C#: one line per TCP session when it closes, with its addresses, ports, bytes and lifespan,
/// from the <c>sock:inet_sock_set_state</c> tracepoint alone (no kprobes): a session is born at its first early
/// state (SYN_SENT, SYN_RECV, ESTABLISHED), owned by the task that connects or closes it last, and ends at CLOSE.
/// </summary>
[BpfProgram(License = "GPL")] // bpf_probe_read_kernel is GPL-only
public static partial class TcpLifespans
{
    // include/net/tcp_states.h
    const int TcpSynSent = 2, TcpFinWait1 = 4, TcpClose = 7, TcpLastAck = 9;
    const ushort IpProtocolTcp = 6;

    // Set by the host before Load(); the verifier sees them as constants.
    static readonly uint TargetPid;          // -p
    static readonly ushort TargetFamily;     // -4 / -6: AF_INET or AF_INET6 (0: both)
    static readonly bool FilterLocalPorts;   // -L: only LocalPorts
    static readonly bool FilterRemotePorts;  // -D: only RemotePorts
    static readonly ulong TcpBytesReceived;  // offsetof(struct tcp_sock, bytes_received), from the kernel's BTF
    static readonly ulong TcpBytesAcked;     // offsetof(struct tcp_sock, bytes_acked)

    /// <summary>The ports of -L and -D (host byte order, as the tracepoint gives them).</summary>
    [Map] static readonly HashMap<ushort, byte> LocalPorts = new(maxEntries: 64);

    [Map] static readonly HashMap<ushort, byte> RemotePorts = new(maxEntries: 64);

    /// <summary>Socket address → when the session started. LRU: sessions that never close cannot fill it.</summary>
    [Map] static readonly LruHashMap<ulong, ulong> Birth = new(maxEntries: 10240);

    /// <summary>Socket address → the task that connected it (SYN_SENT) or closed it last (LAST_ACK).</summary>
    [Map] static readonly LruHashMap<ulong, SocketOwner> Owners = new(maxEntries: 10240);

    /// <summary>Closed sessions, in order.</summary>
    [Map] static readonly RingBuffer Sessions = new(sizeBytes: 256 * 1024);

    [Tracepoint("sock", "inet_sock_set_state")]
    static int OnStateChange(ref readonly InetSockSetState record)
    {
        if (record.Protocol != IpProtocolTcp) return 0;
        ulong sk = record.Skaddr; // the socket's address: its identity, and the tcp_sock we read the byte counts from
        if (FilterLocalPorts && Unsafe.IsNullRef(ref LocalPorts.GetValueRefOrNullRef(record.Sport)) ||
            FilterRemotePorts && Unsafe.IsNullRef(ref RemotePorts.GetValueRefOrNullRef(record.Dport)))
        {
            Birth.Delete(sk);
            return 0;
        }

        int state = record.Newstate;
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        // Each early state (re)sets the start, as BCC's tcplife does, so the lifespan counts from ESTABLISHED. The
        // task may be anyone here (a passive open runs in softirq context), so the pid filter waits.
        if (state < TcpFinWait1) Birth.Update(sk, Bpf.KtimeGetNs());

        // The connecting task (SYN_SENT) and a server closing after its peer (LAST_ACK) run in their own context.
        if (state == TcpSynSent || state == TcpLastAck)
        {
            if (TargetPid != 0 && pid != TargetPid) return 0;
            SocketOwner me = default;
            me.Pid = pid;
            Bpf.GetCurrentComm(out me.Comm);
            Owners.Update(sk, me);
        }
        if (state != TcpClose) return 0;

        ref ulong born = ref Birth.GetValueRefOrNullRef(sk);
        if (Unsafe.IsNullRef(ref born))
        {
            Owners.Delete(sk); // started before we did: no lifespan
            return 0;
        }
        ulong now = Bpf.KtimeGetNs();
        ulong duration = now - born;
        Birth.Delete(sk);

        bool known = Owners.TryGetValue(sk, out SocketOwner owner);
        Owners.Delete(sk);
        if (known) pid = owner.Pid;
        if (TargetPid != 0 && pid != TargetPid) return 0;
        if (TargetFamily != 0 && record.Family != TargetFamily) return 0;

        ref TcpSession s = ref Sessions.Reserve<TcpSession>();
        if (Unsafe.IsNullRef(ref s)) return 0;
        s.DurationNs = duration;
        s.ClosedNs = now;
        // tcp_get_info's counters; CsBpf has no CO-RE yet, so the host found their offsets in the kernel's BTF.
        Bpf.ProbeReadKernel(out s.ReceivedBytes, sk + TcpBytesReceived);
        Bpf.ProbeReadKernel(out s.AckedBytes, sk + TcpBytesAcked);
        s.Pid = pid;
        s.Family = record.Family;
        s.LocalPort = record.Sport;
        s.RemotePort = record.Dport;
        s.LocalAddress = record.Saddr;
        s.RemoteAddress = record.Daddr;
        s.LocalAddress6 = record.SaddrV6;
        s.RemoteAddress6 = record.DaddrV6;
        if (known) s.Comm = owner.Comm;
        else Bpf.GetCurrentComm(out s.Comm);
        Sessions.Submit(ref s);
        return 0;
    }
}
