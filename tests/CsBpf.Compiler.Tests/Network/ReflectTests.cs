using System.Net;
using System.Net.Sockets;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// Packets sent back where they came from, in the kernel: an XDP program answers UDP datagrams with XDP_TX and a
/// tc program with bpf_redirect to the interface's own egress. The sender in the namespace receives its own
/// datagram back from the address it wrote to: proof that the rewritten headers are right on the wire.
/// </summary>
public class ReflectTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class Echo
        {
            // Swaps MACs, IPv4 addresses and UDP ports of a datagram to port 7007; true when it did.
            static bool Swap(ref EthernetHeader eth, ref IPv4Header ip, ref UdpHeader udp)
            {
                if (udp.DestinationPort != NetworkOrder.ToNetwork((ushort)7007)) return false;
                MacAddress mac = eth.Destination;
                eth.Destination = eth.Source;
                eth.Source = mac;
                uint address = ip.SourceAddress;
                ip.SourceAddress = ip.DestinationAddress;
                ip.DestinationAddress = address;
                ushort port = udp.SourcePort;
                udp.SourcePort = udp.DestinationPort;
                udp.DestinationPort = port;
                return true;
            }

            [Xdp]
            static XdpAction XdpEcho(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth) || eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Pass;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return XdpAction.Pass;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                if (Unsafe.IsNullRef(ref udp)) return XdpAction.Pass;
                return Swap(ref eth, ref ip, ref udp) ? XdpAction.Tx : XdpAction.Pass;
            }

            [Tc(TcDirection.Ingress)]
            static TcAction TcEcho(SkBuffContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth) || eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return TcAction.Ok;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return TcAction.Ok;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                if (Unsafe.IsNullRef(ref udp)) return TcAction.Ok;
                return Swap(ref eth, ref ip, ref udp) ? Bpf.TcRedirect(ctx.Ifindex, TcRedirectFlags.Egress) : TcAction.Ok;
            }
        }
        """;

    [Fact]
    public void Xdp_tx_sends_the_rewritten_datagram_back()
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        using (net.Program("XdpEcho").AttachXdp(veth.HostInterface, XdpAttachMode.Generic))
            Assert.Equal(["ping 0", "ping 1", "ping 2"], EchoFromNamespace(veth));
    }

    [Fact]
    public void Tc_redirect_to_the_own_egress_sends_the_rewritten_datagram_back()
    {
        using var net = NetworkProgram.Load(Source);
        using var veth = VethPair.Create();
        using (net.Program("TcEcho").AttachTc(veth.HostInterface, TcDirection.Ingress))
            Assert.Equal(["ping 0", "ping 1", "ping 2"], EchoFromNamespace(veth));
    }

    /// <summary>Sends three datagrams from the namespace to the host's port 7007 and returns the answers from that address.</summary>
    private static List<string> EchoFromNamespace(VethPair veth) => veth.InNamespace(() =>
    {
        using Socket socket = Udp.Bind(veth.PeerAddress, 0);
        var host = new IPEndPoint(IPAddress.Parse(veth.HostAddress), 7007);
        var answers = new List<string>();
        var buffer = new byte[2048];
        for (int i = 0; i < 3; i++)
        {
            socket.SendTo(System.Text.Encoding.ASCII.GetBytes($"ping {i}"), host);
            if (!socket.Poll(3_000_000, SelectMode.SelectRead)) break;
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n = socket.ReceiveFrom(buffer, ref from);
            Assert.Equal(host, from);
            answers.Add(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
        return answers;
    });
}
