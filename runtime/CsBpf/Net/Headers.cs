using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf.Net;

/// <summary>A 6-byte MAC address, as stored in an Ethernet header.</summary>
[InlineArray(Length)]
public struct MacAddress
{
    /// <summary><c>ETH_ALEN</c>.</summary>
    public const int Length = 6;

    private byte _element0;
}

/// <summary>A 16-byte IPv6 address, network byte order.</summary>
[InlineArray(Length)]
public struct IPv6Address
{
    /// <summary>Bytes in an IPv6 address.</summary>
    public const int Length = 16;

    private byte _element0;
}

/// <summary>An Ethernet II header (<c>struct ethhdr</c>, 14 bytes). Multi-byte fields are in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct EthernetHeader
{
    /// <summary><c>ETH_HLEN</c>.</summary>
    public const int Size = 14;

    /// <summary>The destination MAC address (<c>h_dest</c>).</summary>
    public MacAddress Destination;
    /// <summary>The source MAC address (<c>h_source</c>).</summary>
    public MacAddress Source;
    /// <summary>The EtherType, network byte order (<c>h_proto</c>): compare with <c>NetworkOrder.ToNetwork(EtherTypes.IPv4)</c>.</summary>
    public ushort EtherType;
}

/// <summary>An 802.1Q VLAN tag following the MAC addresses (4 bytes: TCI and the encapsulated EtherType).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VlanHeader
{
    /// <summary>Priority, drop eligibility and VLAN id, network byte order.</summary>
    public ushort Tci;
    /// <summary>The encapsulated EtherType, network byte order.</summary>
    public ushort EtherType;
}

/// <summary>An IPv4 header without options (<c>struct iphdr</c>, 20 bytes). Multi-byte fields are in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IPv4Header
{
    /// <summary>The size without options.</summary>
    public const int MinSize = 20;

    /// <summary>Version (high 4 bits, 4) and header length in 32-bit words (low 4 bits): the header is <c>(VersionIhl &amp; 0xF) * 4</c> bytes.</summary>
    public byte VersionIhl;
    /// <summary>DSCP and ECN (<c>tos</c>).</summary>
    public byte Tos;
    /// <summary>The datagram's length including this header (<c>tot_len</c>), network order.</summary>
    public ushort TotalLength;
    /// <summary>The identification (<c>id</c>), network order.</summary>
    public ushort Id;
    /// <summary>Flags and fragment offset (<c>frag_off</c>), network order.</summary>
    public ushort FragmentOffset;
    /// <summary>Time to live.</summary>
    public byte Ttl;
    /// <summary>The transport protocol (<see cref="IpProtocols"/>).</summary>
    public byte Protocol;
    /// <summary>The header checksum (<c>check</c>).</summary>
    public ushort Checksum;
    /// <summary>The source address, network order (<c>saddr</c>): 10.0.0.1 is stored as bytes 10, 0, 0, 1.</summary>
    public uint SourceAddress;
    /// <summary>The destination address, network order (<c>daddr</c>).</summary>
    public uint DestinationAddress;
}

/// <summary>An IPv6 header (<c>struct ipv6hdr</c>, 40 bytes). Multi-byte fields are in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IPv6Header
{
    /// <summary>The header's size.</summary>
    public const int Size = 40;

    /// <summary>Version (4 bits, 6), traffic class (8) and flow label (20), network order.</summary>
    public uint VersionClassFlow;
    /// <summary>The payload's length (<c>payload_len</c>), network order.</summary>
    public ushort PayloadLength;
    /// <summary>The next header (<see cref="IpProtocols"/> or an extension header).</summary>
    public byte NextHeader;
    /// <summary>The hop limit.</summary>
    public byte HopLimit;
    /// <summary>The source address.</summary>
    public IPv6Address SourceAddress;
    /// <summary>The destination address.</summary>
    public IPv6Address DestinationAddress;
}

/// <summary>A TCP header without options (<c>struct tcphdr</c>, 20 bytes). Multi-byte fields are in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TcpHeader
{
    /// <summary>The size without options.</summary>
    public const int MinSize = 20;

    /// <summary>The source port, network order.</summary>
    public ushort SourcePort;
    /// <summary>The destination port, network order.</summary>
    public ushort DestinationPort;
    /// <summary>The sequence number, network order.</summary>
    public uint Sequence;
    /// <summary>The acknowledgment number, network order.</summary>
    public uint Acknowledgment;
    /// <summary>Data offset in 32-bit words (high 4 bits): the header is <c>(DataOffset &gt;&gt; 4) * 4</c> bytes.</summary>
    public byte DataOffset;
    /// <summary>The flags (<see cref="TcpFlags"/>).</summary>
    public byte Flags;
    /// <summary>The receive window, network order.</summary>
    public ushort Window;
    /// <summary>The checksum.</summary>
    public ushort Checksum;
    /// <summary>The urgent pointer, network order.</summary>
    public ushort UrgentPointer;
}

/// <summary>A UDP header (<c>struct udphdr</c>, 8 bytes). Fields are in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct UdpHeader
{
    /// <summary>The header's size.</summary>
    public const int Size = 8;

    /// <summary>The source port, network order.</summary>
    public ushort SourcePort;
    /// <summary>The destination port, network order.</summary>
    public ushort DestinationPort;
    /// <summary>The length of header and payload, network order.</summary>
    public ushort Length;
    /// <summary>The checksum (0: none, over IPv4).</summary>
    public ushort Checksum;
}

/// <summary>An ICMP header (<c>struct icmphdr</c>, 8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IcmpHeader
{
    /// <summary>The message type (8 echo request, 0 echo reply).</summary>
    public byte Type;
    /// <summary>The message code.</summary>
    public byte Code;
    /// <summary>The checksum.</summary>
    public ushort Checksum;
    /// <summary>Type-specific data (for echo: identifier and sequence number), network order.</summary>
    public uint Rest;
}

/// <summary>EtherType values in host byte order (convert with <see cref="NetworkOrder.ToNetwork(ushort)"/> to compare with a header).</summary>
public static class EtherTypes
{
    /// <summary><c>ETH_P_IP</c>.</summary>
    public const ushort IPv4 = 0x0800;
    /// <summary><c>ETH_P_ARP</c>.</summary>
    public const ushort Arp = 0x0806;
    /// <summary><c>ETH_P_8021Q</c>.</summary>
    public const ushort Vlan = 0x8100;
    /// <summary><c>ETH_P_IPV6</c>.</summary>
    public const ushort IPv6 = 0x86DD;
}

/// <summary>IP protocol numbers (<c>IPPROTO_*</c>).</summary>
public static class IpProtocols
{
    /// <summary><c>IPPROTO_ICMP</c>.</summary>
    public const byte Icmp = 1;
    /// <summary><c>IPPROTO_TCP</c>.</summary>
    public const byte Tcp = 6;
    /// <summary><c>IPPROTO_UDP</c>.</summary>
    public const byte Udp = 17;
    /// <summary><c>IPPROTO_ICMPV6</c>.</summary>
    public const byte IcmpV6 = 58;
}

/// <summary>The TCP flag bits of <see cref="TcpHeader.Flags"/>.</summary>
public static class TcpFlags
{
    /// <summary>FIN.</summary>
    public const byte Fin = 0x01;
    /// <summary>SYN.</summary>
    public const byte Syn = 0x02;
    /// <summary>RST.</summary>
    public const byte Rst = 0x04;
    /// <summary>PSH.</summary>
    public const byte Psh = 0x08;
    /// <summary>ACK.</summary>
    public const byte Ack = 0x10;
    /// <summary>URG.</summary>
    public const byte Urg = 0x20;
}
