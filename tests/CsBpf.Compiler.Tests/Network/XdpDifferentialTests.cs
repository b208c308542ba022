using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// XDP programs run on crafted packets in the kernel (<c>BPF_PROG_TEST_RUN</c>) and on the CLR over a
/// <see cref="PacketBuffer"/>: the returned action and the packet the program leaves must be the same, for every
/// packet of the corpus and every truncation of it (each header boundary exercises a bounds check).
/// </summary>
public class XdpDifferentialTests
{
    internal const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class XdpCases
        {
            [Map] static readonly ArrayMap<ulong> PerProtocol = new(maxEntries: 256);

            // A firewall: UDP to port 9 and TCP SYN to 443 are dropped; a header cut short aborts.
            [Xdp]
            static XdpAction Filter(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth)) return XdpAction.Aborted;
                if (eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Pass;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip)) return XdpAction.Aborted;
                ref ulong count = ref PerProtocol.GetValueRefOrNullRef(ip.Protocol);
                if (!Unsafe.IsNullRef(ref count)) Interlocked.Increment(ref count);
                int l4 = EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4;
                if (ip.Protocol == IpProtocols.Udp)
                {
                    ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(l4);
                    if (Unsafe.IsNullRef(ref udp)) return XdpAction.Aborted;
                    return udp.DestinationPort == NetworkOrder.ToNetwork((ushort)9) ? XdpAction.Drop : XdpAction.Pass;
                }
                if (ip.Protocol == IpProtocols.Tcp)
                {
                    ref TcpHeader tcp = ref ctx.GetRef<TcpHeader>(l4);
                    if (Unsafe.IsNullRef(ref tcp)) return XdpAction.Aborted;
                    if ((tcp.Flags & TcpFlags.Syn) != 0 && System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(tcp.DestinationPort) == 443) return XdpAction.Drop;
                }
                return XdpAction.Pass;
            }

            // Sends the packet back: MACs, IPv4 addresses and UDP ports swapped.
            [Xdp]
            static XdpAction Reflect(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth)) return XdpAction.Drop;
                MacAddress mac = eth.Destination;
                eth.Destination = eth.Source;
                eth.Source = mac;
                if (eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Tx;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip)) return XdpAction.Tx;
                uint address = ip.SourceAddress;
                ip.SourceAddress = ip.DestinationAddress;
                ip.DestinationAddress = address;
                if (ip.Protocol == IpProtocols.Udp)
                {
                    ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                    if (!Unsafe.IsNullRef(ref udp))
                    {
                        ushort port = udp.SourcePort;
                        udp.SourcePort = udp.DestinationPort;
                        udp.DestinationPort = port;
                    }
                }
                return XdpAction.Tx;
            }

            // A router's TTL decrement with the RFC 1624 incremental checksum update.
            [Xdp]
            static XdpAction DecrementTtl(XdpContext ctx)
            {
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip)) return XdpAction.Pass;
                if (ip.Ttl <= 1) return XdpAction.Drop;
                uint sum = (uint)ip.Checksum + NetworkOrder.ToNetwork((ushort)0x0100);
                ip.Checksum = (ushort)(sum + (sum >> 16));
                ip.Ttl--;
                return XdpAction.Pass;
            }

            // Inserts an 802.1Q tag (VLAN 42) with bpf_xdp_adjust_head.
            [Xdp]
            static XdpAction PushVlan(XdpContext ctx)
            {
                if (ctx.AdjustHead(-4) != 0) return XdpAction.Aborted;
                ref EthernetHeader moved = ref ctx.GetRef<EthernetHeader>(4);
                if (Unsafe.IsNullRef(ref moved)) return XdpAction.Aborted;
                MacAddress destination = moved.Destination, source = moved.Source;
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                ref VlanHeader vlan = ref ctx.GetRef<VlanHeader>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref eth) || Unsafe.IsNullRef(ref vlan)) return XdpAction.Aborted;
                eth.Destination = destination;
                eth.Source = source;
                eth.EtherType = NetworkOrder.ToNetwork(EtherTypes.Vlan);
                vlan.Tci = NetworkOrder.ToNetwork((ushort)42);
                return XdpAction.Pass;
            }

            // Cuts packets to 60 bytes, or grows shorter ones by a 4-byte trailer (bpf_xdp_adjust_tail).
            [Xdp]
            static XdpAction Trailer(XdpContext ctx)
            {
                int length = ctx.Length;
                if (length > 60) return ctx.AdjustTail(60 - length) == 0 ? XdpAction.Pass : XdpAction.Aborted;
                if (ctx.AdjustTail(4) != 0) return XdpAction.Aborted;
                ref uint trailer = ref ctx.GetRef<uint>(ctx.Length - 4);
                if (Unsafe.IsNullRef(ref trailer)) return XdpAction.Aborted;
                trailer = 0x50425343;
                return XdpAction.Pass;
            }

            // bpf_xdp_load_bytes/store_bytes, including their failures (the out value is then default).
            [Xdp]
            static XdpAction Bytes(XdpContext ctx)
            {
                int inside = ctx.LoadBytes(ctx.Length - 8, out ulong tail);
                int past = ctx.LoadBytes(ctx.Length - 4, out ulong beyond);
                int far = ctx.LoadBytes(70000, out uint unreachable);
                int stored = ctx.StoreBytes(0, in tail);
                int storedPast = ctx.StoreBytes(ctx.Length - 2, in beyond);
                int storedBeyond = ctx.StoreBytes(6, in beyond);
                int code = (inside == 0 ? 1 : 0) | (past == -22 ? 2 : 0) | (far == -14 ? 4 : 0) | (unreachable == 0 ? 8 : 0)
                    | (stored == 0 ? 16 : 0) | (storedPast == -22 ? 32 : 0) | (storedBeyond == 0 ? 64 : 0);
                return (XdpAction)code;
            }

            // Metadata in front of the packet (bpf_xdp_adjust_meta): 8 bytes, then an unaligned size refused.
            [Xdp]
            static XdpAction Meta(XdpContext ctx)
            {
                int reserved = ctx.AdjustMeta(-8);
                int unaligned = ctx.AdjustMeta(-3);
                int tooFar = ctx.AdjustMeta(-4096);
                return (XdpAction)((reserved == 0 ? 1 : 0) | (unaligned == -13 ? 2 : 0) | (tooFar == -22 ? 4 : 0));
            }

            // The raw context pointers (ContextField with Size = 4 turning xdp_md's __u32 fields into pointers).
            [Xdp]
            static unsafe XdpAction RawPointers(XdpContext ctx)
            {
                if (ctx.DataMeta != ctx.Data) return XdpAction.Aborted;
                ulong length = (ulong)ctx.DataEnd - (ulong)ctx.Data;
                return length == (ulong)ctx.Length ? (XdpAction)(length % 5) : XdpAction.Aborted;
            }

            // A multi-buffer program reads past the first buffer with bpf_xdp_load_bytes.
            [Xdp(Frags = true)]
            static XdpAction Frags(XdpContext ctx)
            {
                if (ctx.LoadBytes(4990, out ulong tail) != 0) return XdpAction.Aborted;
                return tail == 0x8584838281807F7EUL ? XdpAction.Pass : XdpAction.Drop;
            }

            // Offsets computed from packet data, negative and out of range ones included.
            [Xdp]
            static XdpAction Offsets(XdpContext ctx)
            {
                ref byte first = ref ctx.GetRef<byte>(0);
                if (Unsafe.IsNullRef(ref first)) return XdpAction.Aborted;
                ref byte negative = ref ctx.GetRef<byte>(first - 4);
                if (!Unsafe.IsNullRef(ref negative)) return XdpAction.Tx;
                if (!Unsafe.IsNullRef(ref ctx.GetRef<byte>(-1)) || !Unsafe.IsNullRef(ref ctx.GetRef<uint>(0xFFFF))) return XdpAction.Tx;
                ref ushort word = ref ctx.GetRef<ushort>(first * 7 + ctx.Length - 20);
                if (Unsafe.IsNullRef(ref word)) return XdpAction.Drop;
                word = 0xBEEF;
                return XdpAction.Pass;
            }
        }
        """;

    public static TheoryData<string> Programs => ["Filter", "Reflect", "DecrementTtl", "PushVlan", "Trailer", "Bytes", "Meta", "Offsets", "RawPointers"];

    [Theory]
    [MemberData(nameof(Programs))]
    public void Kernel_and_CLR_return_the_same_action_and_packet(string program)
    {
        using var net = NetworkProgram.Load(Source);
        BpfProgramHandle handle = net.Program(program);
        var mismatches = new List<string>();
        int runs = 0;
        foreach (byte[] packet in Packets.WithTruncations(Packets.Corpus()))
        {
            var output = new byte[4096];
            BpfTestRunResult kernel = handle.TestRun(packet, output);
            byte[] kernelPacket = output[..kernel.DataOutLength];

            using var buffer = PacketBuffer.ForXdp(packet);
            int clr = (int)(XdpAction)net.RunClr(program, buffer.Xdp)!;
            byte[] clrPacket = [.. buffer.Metadata, .. buffer.Data];
            runs++;
            if (kernel.ReturnValue != clr || !kernelPacket.AsSpan().SequenceEqual(clrPacket))
                mismatches.Add($"{Convert.ToHexString(packet)}: kernel {kernel.ReturnValue} {Convert.ToHexString(kernelPacket)}, CLR {clr} {Convert.ToHexString(clrPacket)}");
        }
        Assert.True(runs > 300, $"only {runs} packets");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {runs} packets differ:\n" + string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Frags_program_loads_as_multi_buffer_and_reads_the_fragments()
    {
        using var net = NetworkProgram.Load(Source);
        BpfProgramHandle frags = net.Program("Frags");
        Assert.Equal("xdp.frags", frags.SectionName);
        // 6000 bytes: more than one XDP buffer holds (4096 - 256 headroom - 320 tailroom), so the test run builds fragments.
        byte[] packet = Packets.Ethernet(0x0800, new byte[6000 - 14]);
        for (int i = 14; i < packet.Length; i++) packet[i] = (byte)i;
        Assert.Equal(0x8584838281807F7EUL, BitConverter.ToUInt64(packet, 4990));
        Assert.Equal((int)XdpAction.Pass, frags.TestRun(packet, new byte[8192]).ReturnValue);
        packet[4995] ^= 1;
        Assert.Equal((int)XdpAction.Drop, frags.TestRun(packet, new byte[8192]).ReturnValue);
        Assert.Equal((int)XdpAction.Aborted, frags.TestRun(packet[..4000], new byte[8192]).ReturnValue);
    }
}
