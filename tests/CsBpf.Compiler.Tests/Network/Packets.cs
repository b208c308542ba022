using System.Buffers.Binary;
using System.Net;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>Builds Ethernet frames with valid IPv4/IPv6, UDP, TCP and ICMP headers and checksums.</summary>
internal static class Packets
{
    public static readonly byte[] MacA = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0a];
    public static readonly byte[] MacB = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0b];

    public static byte[] Ethernet(ushort etherType, ReadOnlySpan<byte> payload, byte[]? destination = null, byte[]? source = null)
    {
        var frame = new byte[14 + payload.Length];
        (destination ?? MacB).CopyTo(frame, 0);
        (source ?? MacA).CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>An IPv4 header (with <paramref name="options"/> bytes of NOP options) followed by <paramref name="payload"/>.</summary>
    public static byte[] IPv4(byte protocol, string source, string destination, ReadOnlySpan<byte> payload, byte ttl = 64, int options = 0)
    {
        int headerLength = 20 + options;
        var packet = new byte[headerLength + payload.Length];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        packet[8] = ttl;
        packet[9] = protocol;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(packet, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(packet, 16);
        for (int i = 20; i < headerLength; i++) packet[i] = 1; // NOP
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, headerLength)));
        payload.CopyTo(packet.AsSpan(headerLength));
        return packet;
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> data, string source, string destination)
    {
        var udp = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        data.CopyTo(udp.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), TransportChecksum(17, source, destination, udp));
        return udp;
    }

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, byte flags, ReadOnlySpan<byte> data, string source, string destination)
    {
        var tcp = new byte[20 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 1000);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        data.CopyTo(tcp.AsSpan(20));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), TransportChecksum(6, source, destination, tcp));
        return tcp;
    }

    public static byte[] IcmpEcho(ushort id, ushort sequence)
    {
        var icmp = new byte[16];
        icmp[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), sequence);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Checksum(icmp));
        return icmp;
    }

    public static byte[] Udp4Frame(ushort sourcePort, ushort destinationPort, string payload = "hello", string source = "10.0.0.1", string destination = "10.0.0.2", int options = 0) =>
        Ethernet(0x0800, IPv4(17, source, destination, Udp(sourcePort, destinationPort, System.Text.Encoding.ASCII.GetBytes(payload), source, destination), options: options));

    public static byte[] Tcp4Frame(ushort sourcePort, ushort destinationPort, byte flags, string source = "10.0.0.1", string destination = "10.0.0.2") =>
        Ethernet(0x0800, IPv4(6, source, destination, Tcp(sourcePort, destinationPort, flags, "data"u8, source, destination)));

    public static byte[] Icmp4Frame(string source = "10.0.0.1", string destination = "10.0.0.2") =>
        Ethernet(0x0800, IPv4(1, source, destination, IcmpEcho(7, 1)));

    public static byte[] Udp6Frame(ushort sourcePort, ushort destinationPort)
    {
        var header = new byte[40];
        header[0] = 0x60;
        var udp = new byte[8 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)udp.Length);
        header[6] = 17;
        header[7] = 64;
        IPAddress.Parse("fd00::1").GetAddressBytes().CopyTo(header, 8);
        IPAddress.Parse("fd00::2").GetAddressBytes().CopyTo(header, 24);
        return Ethernet(0x86DD, [.. header, .. udp]);
    }

    public static byte[] ArpFrame() => Ethernet(0x0806, new byte[28], destination: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

    /// <summary>The RFC 1071 checksum of <paramref name="data"/>, as stored in a header (big-endian).</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        uint sum = initial;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (data.Length % 2 == 1) sum += (uint)data[^1] << 8;
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static ushort TransportChecksum(byte protocol, string source, string destination, ReadOnlySpan<byte> segment)
    {
        var pseudo = new byte[12];
        IPAddress.Parse(source).GetAddressBytes().CopyTo(pseudo, 0);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(pseudo, 4);
        pseudo[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)segment.Length);
        uint sum = 0;
        for (int i = 0; i < 12; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(pseudo.AsSpan(i));
        ushort result = Checksum(segment, sum);
        return result == 0 && protocol == 17 ? (ushort)0xFFFF : result;
    }

    /// <summary>
    /// Whether <c>BPF_PROG_TEST_RUN</c> accepts the frame for an <c>sk_buff</c> program: it refuses (EINVAL) an IPv4
    /// or IPv6 frame whose network header is cut short (net/bpf/test_run.c, bpf_prog_test_run_skb).
    /// </summary>
    public static bool IsTestRunnableSkb(byte[] frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) switch
    {
        0x0800 => frame.Length >= 14 + 20,
        0x86DD => frame.Length >= 14 + 40,
        _ => true,
    };

    /// <summary>Every prefix of each frame from 14 bytes on, and the frames themselves: truncation at every header boundary.</summary>
    public static IEnumerable<byte[]> WithTruncations(IEnumerable<byte[]> frames)
    {
        foreach (byte[] frame in frames)
        {
            yield return frame;
            for (int length = 14; length < frame.Length; length++) yield return frame[..length];
        }
    }

    /// <summary>The test corpus: UDP (ports 9, 53, 7777), TCP SYN (80, 443) and ACK, ICMP, IPv4 with options, IPv6, ARP.</summary>
    public static IReadOnlyList<byte[]> Corpus() =>
    [
        Udp4Frame(1234, 9),
        Udp4Frame(5353, 53, "query"),
        Udp4Frame(40000, 7777, "x", options: 8),
        Tcp4Frame(50000, 80, 0x02),
        Tcp4Frame(50000, 443, 0x10),
        Tcp4Frame(50001, 443, 0x02),
        Icmp4Frame(),
        Udp6Frame(1000, 2000),
        ArpFrame(),
    ];
}
