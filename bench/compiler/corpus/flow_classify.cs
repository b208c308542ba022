using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public enum Service : uint { Unknown, Ssh, Web, Dns, Ephemeral, OtherTcp, OtherUdp, Icmp }

/// <summary>A parsed packet header passed in by user space; Class and Verdict are written back.</summary>
public struct PacketInfo
{
    public uint Saddr;
    public uint Daddr;
    public ushort Sport;
    public ushort Dport;
    public byte Proto;
    public byte TcpFlags;
    public ushort Len;
    public Service Class;
    public int Verdict;
}

public struct FlowKey
{
    public uint Saddr;
    public uint Daddr;
    public ushort Sport;
    public ushort Dport;
    public byte Proto;
    public byte Pad1;
    public ushort Pad2;
}

public struct FlowStats
{
    public ulong Packets;
    public ulong Bytes;
    public Service Class;
    public uint Flags;
}

/// <summary>
/// Flow accounting and service classification (nested switch expressions with or/relational patterns),
/// dropping SYN+FIN / SYN+RST packets: the logic of an XDP classifier, as a syscall program.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class FlowClassify
{
    const byte Fin = 0x01, Syn = 0x02, Rst = 0x04;

    [Map] static readonly HashMap<FlowKey, FlowStats> Flows = new(maxEntries: 8192);
    [Map] static readonly ArrayMap<ulong> PerService = new(maxEntries: 8);

    static Service Classify(byte proto, ushort dport) => proto switch
    {
        6 => dport switch
        {
            22 => Service.Ssh,
            80 or 443 or 8080 => Service.Web,
            >= 1024 => Service.Ephemeral,
            _ => Service.OtherTcp,
        },
        17 => dport == 53 ? Service.Dns : Service.OtherUdp,
        1 => Service.Icmp,
        _ => Service.Unknown,
    };

    static bool Suspicious(byte proto, byte flags) =>
        proto == 6 && ((flags & (Syn | Fin)) == (Syn | Fin) || (flags & (Syn | Rst)) == (Syn | Rst));

    [Syscall]
    static int OnPacket(ref PacketInfo pkt)
    {
        Service svc = Classify(pkt.Proto, pkt.Dport);
        pkt.Class = svc;
        if (Suspicious(pkt.Proto, pkt.TcpFlags))
        {
            pkt.Verdict = 1;
            return 1;
        }
        FlowKey key = default;
        key.Saddr = pkt.Saddr;
        key.Daddr = pkt.Daddr;
        key.Sport = pkt.Sport;
        key.Dport = pkt.Dport;
        key.Proto = pkt.Proto;
        ref FlowStats flow = ref Flows.GetValueRefOrNullRef(key);
        if (Unsafe.IsNullRef(ref flow))
        {
            FlowStats fresh = default;
            fresh.Packets = 1;
            fresh.Bytes = pkt.Len;
            fresh.Class = svc;
            fresh.Flags = pkt.TcpFlags;
            Flows.Update(key, fresh, MapUpdateFlags.NoExist);
        }
        else
        {
            Interlocked.Increment(ref flow.Packets);
            Interlocked.Add(ref flow.Bytes, pkt.Len);
            flow.Flags |= pkt.TcpFlags;
        }
        ref ulong n = ref PerService.GetValueRefOrNullRef((uint)svc);
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
        pkt.Verdict = 0;
        return 0;
    }
}
