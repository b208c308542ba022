using CsBpf.TestSupport;
using System.Net.Sockets;
using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>An XDP program attached to a veth interface sees the real packets arriving on it, counts them in a map and drops the ones it should.</summary>
public class XdpAttachTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class XdpPortFilter
        {
            [Map] static readonly HashMap<ushort, ulong> Seen = new(maxEntries: 64);

            [Xdp]
            static XdpAction DropPort7002(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth) || eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Pass;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return XdpAction.Pass;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                if (Unsafe.IsNullRef(ref udp)) return XdpAction.Pass;
                ushort port = NetworkOrder.ToHost(udp.DestinationPort);
                ref ulong n = ref Seen.GetValueRefOrNullRef(port);
                if (Unsafe.IsNullRef(ref n)) Seen.Update(port, 1, MapUpdateFlags.NoExist);
                else Interlocked.Increment(ref n);
                return port == 7002 ? XdpAction.Drop : XdpAction.Pass;
            }
        }
        """;

    public static TheoryData<string> Modes => ["link", nameof(XdpAttachMode.Generic), nameof(XdpAttachMode.Native)];

    [Theory]
    [MemberData(nameof(Modes))]
    public void Drops_and_counts_real_udp_traffic_until_detached(string mode)
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        using Socket keep = Udp.Bind(veth.HostAddress, 7001), drop = Udp.Bind(veth.HostAddress, 7002);
        BpfProgramHandle program = net.Program("DropPort7002");

        IDisposable attachment = mode == "link"
            ? program.AttachXdp(veth.HostInterface)
            : program.AttachXdp(veth.HostInterface, Enum.Parse<XdpAttachMode>(mode));
        using (attachment)
        {
            veth.InNamespace(() =>
            {
                using Socket sender = Udp.Bind(veth.PeerAddress, 0);
                Udp.Send(sender, veth.HostAddress, 7001, 5);
                Udp.Send(sender, veth.HostAddress, 7002, 5);
            });
            Assert.Equal(5, Udp.Drain(keep).Count);
            Assert.Empty(Udp.Drain(drop));
            var seen = net.Bpf.GetHashMap<ushort, ulong>("Seen");
            Assert.Equal(5UL, seen[7001]);
            Assert.Equal(5UL, seen[7002]);
        }

        // Detached: port 7002 gets through and the program no longer counts.
        veth.InNamespace(() =>
        {
            using Socket sender = Udp.Bind(veth.PeerAddress, 0);
            Udp.Send(sender, veth.HostAddress, 7002, 3);
        });
        Assert.Equal(3, Udp.Drain(drop).Count);
        Assert.Equal(5UL, net.Bpf.GetHashMap<ushort, ulong>("Seen")[7002]);
    }

    [Fact]
    public void A_second_program_on_the_same_interface_is_refused_with_the_reason()
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        BpfProgramHandle program = net.Program("DropPort7002");
        using var first = program.AttachXdp(veth.HostInterface, XdpAttachMode.Generic);
        var e = Assert.Throws<BpfAttachException>(() => program.AttachXdp(veth.HostInterface, XdpAttachMode.Generic));
        Assert.Contains("another XDP program", e.Message);
        Assert.Throws<BpfAttachTargetNotFoundException>(() => program.AttachXdp("nosuchif0", XdpAttachMode.Generic));
    }

    [Fact]
    public void AttachAll_leaves_network_programs_to_their_typed_attach_methods()
    {
        using var net = NetworkProgram.Load(Source);
        BpfProgramHandle program = net.Program("DropPort7002");
        Assert.True(program.NeedsAttachTarget);
        Assert.Empty(net.Bpf.AttachAll());
        var e = Assert.Throws<BpfAttachException>(() => program.Attach());
        Assert.Contains("AttachXdp(interfaceName)", e.Message);
    }
}
