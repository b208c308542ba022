using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsBpf;
using CsBpf.Net;

namespace Samples.XdpFilter;

/// <summary>Packets and bytes seen for one IP protocol.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ProtocolStats
{
    /// <summary>Packets.</summary>
    public ulong Packets;

    /// <summary>Bytes, Ethernet header included.</summary>
    public ulong Bytes;
}

/// <summary>
/// An XDP packet filter in the spirit of the kernel's samples/bpf/xdp1: counts the IPv4 and IPv6 packets arriving
/// on an interface per IP protocol, and drops TCP and UDP packets to the destination ports the host put in
/// <see cref="BlockedPorts"/> (counting the drops per port). Everything else goes on to the network stack.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class PacketFilter
{
    /// <summary>Per IP protocol number.</summary>
    [Map] static readonly ArrayMap<ProtocolStats> Protocols = new(maxEntries: 256);

    /// <summary>Blocked destination ports (host byte order) and how many packets each dropped.</summary>
    [Map] static readonly HashMap<ushort, ulong> BlockedPorts = new(maxEntries: 1024);

    /// <summary>Source and destination ports, the first four bytes of both TCP and UDP headers.</summary>
    private struct Ports
    {
        public ushort Source;
        public ushort Destination;
    }

    [Xdp]
    static XdpAction Filter(XdpContext ctx)
    {
        ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
        if (Unsafe.IsNullRef(ref eth)) return XdpAction.Drop; // not even an Ethernet header

        int offset = EthernetHeader.Size;
        ushort etherType = eth.EtherType;
        if (etherType == NetworkOrder.ToNetwork(EtherTypes.Vlan))
        {
            ref VlanHeader vlan = ref ctx.GetRef<VlanHeader>(offset);
            if (Unsafe.IsNullRef(ref vlan)) return XdpAction.Drop;
            etherType = vlan.EtherType;
            offset += 4;
        }

        byte protocol;
        int transport;
        if (etherType == NetworkOrder.ToNetwork(EtherTypes.IPv4))
        {
            ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(offset);
            if (Unsafe.IsNullRef(ref ip)) return XdpAction.Drop;
            protocol = ip.Protocol;
            transport = offset + (ip.VersionIhl & 0xF) * 4;
        }
        else if (etherType == NetworkOrder.ToNetwork(EtherTypes.IPv6))
        {
            ref IPv6Header ip6 = ref ctx.GetRef<IPv6Header>(offset);
            if (Unsafe.IsNullRef(ref ip6)) return XdpAction.Drop;
            protocol = ip6.NextHeader;
            transport = offset + IPv6Header.Size;
        }
        else
        {
            return XdpAction.Pass; // ARP and the rest
        }

        ref ProtocolStats stats = ref Protocols.GetValueRefOrNullRef(protocol);
        if (!Unsafe.IsNullRef(ref stats))
        {
            Interlocked.Increment(ref stats.Packets);
            Interlocked.Add(ref stats.Bytes, (ulong)ctx.Length);
        }

        if (protocol is IpProtocols.Tcp or IpProtocols.Udp)
        {
            ref Ports ports = ref ctx.GetRef<Ports>(transport);
            if (Unsafe.IsNullRef(ref ports)) return XdpAction.Pass;
            ref ulong dropped = ref BlockedPorts.GetValueRefOrNullRef(NetworkOrder.ToHost(ports.Destination));
            if (!Unsafe.IsNullRef(ref dropped))
            {
                Interlocked.Increment(ref dropped);
                return XdpAction.Drop;
            }
        }
        return XdpAction.Pass;
    }
}
