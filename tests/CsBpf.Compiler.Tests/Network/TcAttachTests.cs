using CsBpf.TestSupport;
using System.Net.Sockets;
using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>tc programs attached to the ingress and egress hooks of a veth interface filter and rewrite real traffic.</summary>
public class TcAttachTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class TcFirewall
        {
            [Map] static readonly HashMap<ushort, ulong> Seen = new(maxEntries: 64);

            // The UDP destination port (host order) and its offset, or 0: a BPF-to-BPF call that gets the context.
            static ushort UdpDestination(SkBuffContext ctx, out int udpOffset)
            {
                udpOffset = 0;
                if (ctx.Protocol != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return 0;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return 0;
                udpOffset = EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(udpOffset);
                return Unsafe.IsNullRef(ref udp) ? (ushort)0 : NetworkOrder.ToHost(udp.DestinationPort);
            }

            static void Count(ushort port)
            {
                ref ulong n = ref Seen.GetValueRefOrNullRef(port);
                if (Unsafe.IsNullRef(ref n)) Seen.Update(port, 1, MapUpdateFlags.NoExist);
                else Interlocked.Increment(ref n);
            }

            [Tc(TcDirection.Ingress)]
            static TcAction Ingress(SkBuffContext ctx)
            {
                ushort port = UdpDestination(ctx, out int unused);
                if (port == 0) return TcAction.Ok;
                Count(port);
                return port == 7002 ? TcAction.Shot : TcAction.Ok;
            }

            // Sent packets: UDP to 7003 goes to 7004 instead (port and checksum rewritten), UDP to 7005 is dropped.
            [Tc(TcDirection.Egress)]
            static TcAction Egress(SkBuffContext ctx)
            {
                ushort port = UdpDestination(ctx, out int udp);
                if (port == 0) return TcAction.Ok;
                Count(port);
                if (port == 7005) return TcAction.Shot;
                if (port != 7003) return TcAction.Ok;
                ushort from = NetworkOrder.ToNetwork((ushort)7003), to = NetworkOrder.ToNetwork((ushort)7004);
                if (ctx.L4CsumReplace(udp + 6, from, to, L4CsumFlags.Size2 | L4CsumFlags.MarkMangled0) != 0) return TcAction.Shot;
                return ctx.StoreBytes(udp + 2, in to) == 0 ? TcAction.Ok : TcAction.Shot;
            }
        }
        """;

    [Fact]
    public void Ingress_filter_drops_and_counts_received_udp_until_disposed()
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        using Socket keep = Udp.Bind(veth.HostAddress, 7001), drop = Udp.Bind(veth.HostAddress, 7002);
        using (BpfTcAttachment attachment = net.Program("Ingress").AttachTc(veth.HostInterface, TcDirection.Ingress))
        {
            Assert.True(attachment.CreatedQdisc);
            Assert.NotEqual(0u, attachment.Priority);
            Assert.Contains("filter", ProcessOutput("tc", "filter", "show", "dev", veth.HostInterface, "ingress"));
            SendFromNamespace(veth, (7001, 4), (7002, 4));
            Assert.Equal(4, Udp.Drain(keep).Count);
            Assert.Empty(Udp.Drain(drop));
            Assert.Equal(4UL, net.Bpf.GetHashMap<ushort, ulong>("Seen")[7002]);
        }
        Assert.DoesNotContain("bpf", ProcessOutput("tc", "filter", "show", "dev", veth.HostInterface, "ingress"));
        SendFromNamespace(veth, (7002, 2));
        Assert.Equal(2, Udp.Drain(drop).Count);
    }

    [Fact]
    public void Egress_filter_rewrites_and_drops_sent_udp()
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        var (original, rewritten, dropped) = veth.InNamespace(() =>
            (Udp.Bind(veth.PeerAddress, 7003), Udp.Bind(veth.PeerAddress, 7004), Udp.Bind(veth.PeerAddress, 7005)));
        using (original)
        using (rewritten)
        using (dropped)
        using (net.Program("Egress").AttachTc(veth.HostInterface, TcDirection.Egress, priority: 7))
        using (Socket sender = Udp.Bind(veth.HostAddress, 0))
        {
            Udp.Send(sender, veth.PeerAddress, 7003, 3, "moved"u8.ToArray());
            Udp.Send(sender, veth.PeerAddress, 7005, 3);
            List<byte[]> moved = Udp.Drain(rewritten);
            Assert.Equal(3, moved.Count);
            Assert.All(moved, d => Assert.Equal("moved"u8.ToArray(), d));
            Assert.Empty(Udp.Drain(original));
            Assert.Empty(Udp.Drain(dropped));
            var seen = net.Bpf.GetHashMap<ushort, ulong>("Seen");
            Assert.Equal(3UL, seen[7003]);
            Assert.Equal(3UL, seen[7005]);
        }
    }

    [Fact]
    public void Attach_errors_name_the_cause()
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        using var first = net.Program("Ingress").AttachTc(veth.HostInterface, TcDirection.Ingress, priority: 3, handle: 1);
        var duplicate = Assert.Throws<BpfAttachException>(() => net.Program("Ingress").AttachTc(veth.HostInterface, TcDirection.Ingress, priority: 3, handle: 1));
        Assert.Contains("exists already", duplicate.Message);
        Assert.Throws<BpfAttachTargetNotFoundException>(() => net.Program("Ingress").AttachTc("nosuchif0", TcDirection.Ingress));
    }

    private static void SendFromNamespace(VethPair veth, params (int Port, int Count)[] datagrams) =>
        veth.InNamespace(() =>
        {
            using Socket sender = Udp.Bind(veth.PeerAddress, 0);
            foreach (var (port, count) in datagrams) Udp.Send(sender, veth.HostAddress, port, count);
        });

    private static string ProcessOutput(string file, params string[] args) => CsBpf.TestSupport.ProcessRunner.Run(file, args).Output;
}
