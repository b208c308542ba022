using System.Buffers.Binary;
using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// tc programs run on crafted packets in the kernel (<c>BPF_PROG_TEST_RUN</c> with a <c>__sk_buff</c> context) and
/// on the CLR: return value, output packet and the context fields the program wrote (mark, priority, cb) must agree.
/// The NAT program's output is also checked on its own: its IPv4 and UDP/TCP checksums must be valid.
/// </summary>
public class TcDifferentialTests
{
    internal const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class TcCases
        {
            // Classifies by protocol and UDP port into mark/priority/cb; drops UDP to port 9.
            [Tc(TcDirection.Ingress)]
            static TcAction Classify(SkBuffContext ctx)
            {
                ctx.Cb0 = ctx.Len;
                ctx.Cb1 = (uint)ctx.Length;
                if (ctx.Protocol != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return TcAction.Ok;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip)) return TcAction.Shot;
                ctx.Mark = ip.Protocol;
                ctx.Priority = ip.Ttl;
                if (ip.Protocol != IpProtocols.Udp) return TcAction.Ok;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                if (Unsafe.IsNullRef(ref udp)) return TcAction.Shot;
                ctx.Mark = 0x10000u | NetworkOrder.ToHost(udp.DestinationPort);
                return udp.DestinationPort == NetworkOrder.ToNetwork((ushort)9) ? TcAction.Shot : TcAction.Ok;
            }

            // Destination NAT to 10.9.9.9 (and UDP port 53 to 5353) with the checksum helpers.
            [Tc(TcDirection.Egress)]
            static TcAction Nat(SkBuffContext ctx)
            {
                if (ctx.Protocol != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return TcAction.Ok;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip)) return TcAction.Ok;
                uint oldAddress = ip.DestinationAddress;
                uint newAddress = NetworkOrder.ToNetwork(0x0A090909u);
                byte protocol = ip.Protocol;
                int l4 = EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4;
                if (ctx.L3CsumReplace(EthernetHeader.Size + 10, oldAddress, newAddress, 4) != 0) return TcAction.Shot;
                int checksum = protocol == IpProtocols.Udp ? l4 + 6 : protocol == IpProtocols.Tcp ? l4 + 16 : 0;
                if (checksum != 0)
                {
                    L4CsumFlags flags = L4CsumFlags.PseudoHeader | L4CsumFlags.Size4 | (protocol == IpProtocols.Udp ? L4CsumFlags.MarkMangled0 : 0);
                    int result = ctx.L4CsumReplace(checksum, oldAddress, newAddress, flags);
                    ctx.Cb2 = (uint)result;
                }
                if (ctx.StoreBytes(EthernetHeader.Size + 16, in newAddress) != 0) return TcAction.Shot;
                if (protocol == IpProtocols.Udp && ctx.LoadBytes(l4 + 2, out ushort port) == 0 && port == NetworkOrder.ToNetwork((ushort)53))
                {
                    ushort newPort = NetworkOrder.ToNetwork((ushort)5353);
                    ctx.Cb3 = (uint)ctx.L4CsumReplace(l4 + 6, port, newPort, L4CsumFlags.Size2 | L4CsumFlags.MarkMangled0);
                    ctx.Cb4 = (uint)ctx.StoreBytes(l4 + 2, in newPort);
                }
                return TcAction.Ok;
            }

            // Helper results on the edges: csum_diff, bad sizes and offsets, loads past the end, redirect.
            [Tc(TcDirection.Ingress)]
            static TcAction Helpers(SkBuffContext ctx)
            {
                ctx.LoadBytes(26, out ulong addresses);
                ulong zero = 0;
                ctx.Cb0 = (uint)Bpf.CsumDiff(in zero, in addresses, 0);
                ctx.Cb1 = (uint)ctx.L3CsumReplace(25, 0, 1, 2) | (uint)ctx.L3CsumReplace(24, 0, 1, 3) << 8;
                ctx.Cb2 = (uint)ctx.LoadBytes((int)ctx.Len - 2, out uint past) | past << 8;
                ctx.Cb3 = (uint)ctx.StoreBytes(0, in addresses, (StoreBytesFlags)8) | (uint)ctx.L4CsumReplace(24, 5, 0, L4CsumFlags.Size2) << 8;
                ctx.Cb4 = (uint)ctx.L3CsumReplace(24, 0, (uint)Bpf.CsumDiff(in zero, in addresses, 0), 0);
                return ctx.Len > 60 ? Bpf.TcRedirect(ctx.Ifindex) : Bpf.TcRedirect(ctx.Ifindex, (TcRedirectFlags)4);
            }
        }
        """;

    public static TheoryData<string> Programs => ["Classify", "Nat", "Helpers"];

    /// <summary>The <c>__sk_buff</c> fields test runs return and programs write: mark, priority, cb[0..4].</summary>
    private static readonly (string Name, int Offset)[] s_fields = [("mark", 8), ("priority", 32), ("cb0", 48), ("cb1", 52), ("cb2", 56), ("cb3", 60), ("cb4", 64)];

    [Theory]
    [MemberData(nameof(Programs))]
    public void Kernel_and_CLR_return_the_same_verdict_packet_and_context(string program)
    {
        using var net = NetworkProgram.Load(Source);
        BpfProgramHandle handle = net.Program(program);
        var mismatches = new List<string>();
        int runs = 0;
        foreach (byte[] packet in Packets.WithTruncations(Packets.Corpus().Append(Packets.Udp4Frame(1111, 53, "dns?"))).Where(Packets.IsTestRunnableSkb))
        {
            var output = new byte[4096];
            var context = new byte[192];
            BpfTestRunResult kernel = handle.TestRunWithContext(packet, output, context);
            byte[] kernelPacket = output[..kernel.DataOutLength];

            using var buffer = PacketBuffer.ForTc(packet);
            int clr = (int)(TcAction)net.RunClr(program, buffer.SkBuff)!;
            byte[] clrPacket = buffer.ToArray();
            var clrContext = new byte[192];
            SkBuffContext skb = buffer.SkBuff;
            foreach (var (name, offset) in s_fields)
                BinaryPrimitives.WriteUInt32LittleEndian(clrContext.AsSpan(offset), name switch
                {
                    "mark" => skb.Mark, "priority" => skb.Priority, "cb0" => skb.Cb0, "cb1" => skb.Cb1, "cb2" => skb.Cb2, "cb3" => skb.Cb3, _ => skb.Cb4,
                });
            runs++;
            string fields = string.Join(" ", s_fields.Where(f => !context.AsSpan(f.Offset, 4).SequenceEqual(clrContext.AsSpan(f.Offset, 4)))
                .Select(f => $"{f.Name}: kernel {BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(f.Offset)):x} CLR {BinaryPrimitives.ReadUInt32LittleEndian(clrContext.AsSpan(f.Offset)):x}"));
            if (kernel.ReturnValue != clr || !kernelPacket.AsSpan().SequenceEqual(clrPacket) || fields.Length > 0)
                mismatches.Add($"{Convert.ToHexString(packet)}: kernel {kernel.ReturnValue} {Convert.ToHexString(kernelPacket)}, CLR {clr} {Convert.ToHexString(clrPacket)} {fields}");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {runs} packets differ:\n" + string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Nat_leaves_valid_ip_udp_and_tcp_checksums()
    {
        using var net = NetworkProgram.Load(Source);
        foreach (byte[] packet in new[] { Packets.Udp4Frame(1111, 53, "dns?"), Packets.Udp4Frame(1111, 80, "x", options: 4), Packets.Tcp4Frame(4000, 22, 0x18) })
        {
            var output = new byte[4096];
            BpfTestRunResult result = net.Program("Nat").TestRun(packet, output);
            byte[] frame = output[..result.DataOutLength];
            Assert.Equal(0, result.ReturnValue);
            int ihl = (frame[14] & 0xF) * 4;
            Assert.Equal([10, 9, 9, 9], frame[30..34]);
            Assert.Equal(0, Packets.Checksum(frame.AsSpan(14, ihl)));
            byte protocol = frame[23];
            var segment = frame.AsSpan(14 + ihl);
            var pseudo = new byte[12];
            frame.AsSpan(26, 8).CopyTo(pseudo);
            pseudo[9] = protocol;
            BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)segment.Length);
            uint sum = 0;
            for (int i = 0; i < 12; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(pseudo.AsSpan(i));
            Assert.Equal(0, Packets.Checksum(segment, sum));
            if (protocol == 17 && packet[37] == 53) Assert.Equal(5353, BinaryPrimitives.ReadUInt16BigEndian(segment[2..]));
        }
    }
}
