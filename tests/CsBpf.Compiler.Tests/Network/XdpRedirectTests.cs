using System.Net.Sockets;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// <c>bpf_redirect</c> (helper 23) from an XDP program, in the kernel: datagrams sent into veth pair A are moved by
/// the program on A's receiving end out of pair B, and a socket behind B's far end receives them; other traffic
/// is passed up A's stack. The action is also compared with the CLR's under <c>BPF_PROG_TEST_RUN</c>.
/// </summary>
public class XdpRedirectTests
{
    private const int RedirectedPort = 7201, OtherPort = 7202;

    // SOL_SOCKET, SO_NO_CHECK (include/uapi/asm-generic/socket.h).
    private const int SolSocket = 1, SoNoCheck = 11;

    private const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class XdpForward
        {
            // The interface redirected to, set by the host before load (.rodata: the verifier sees a constant).
            static readonly uint TargetIfindex = 0;

            // 0: UDP to 7201 redirected by Forward; 1: other UDP passed by Forward;
            // 2: UDP to 7201 arriving where CountArrivals runs; 3: other UDP arriving there.
            [Map] static readonly ArrayMap<ulong> Counts = new(maxEntries: 4);

            static void Count(uint slot)
            {
                ref ulong n = ref Counts.GetValueRefOrNullRef(slot);
                if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
            }

            [Xdp]
            static XdpAction Forward(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth) || eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Pass;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return XdpAction.Pass;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                if (Unsafe.IsNullRef(ref udp)) return XdpAction.Pass;
                if (udp.DestinationPort != NetworkOrder.ToNetwork((ushort)7201))
                {
                    Count(1);
                    return XdpAction.Pass;
                }
                Count(0);
                return Bpf.XdpRedirect(TargetIfindex);
            }

            // The same redirect with flags 1 for odd-length frames: the kernel (and the CLR body) answer Aborted.
            [Xdp]
            static XdpAction ForwardWithFlags(XdpContext ctx) => Bpf.XdpRedirect(TargetIfindex, (ulong)(ctx.Length & 1));

            // On the target's peer: counts the UDP frames that arrive and lets them up the stack.
            [Xdp]
            static XdpAction CountArrivals(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth) || eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Pass;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return XdpAction.Pass;
                ref UdpHeader udp = ref ctx.GetRef<UdpHeader>(EthernetHeader.Size + (ip.VersionIhl & 0xF) * 4);
                if (Unsafe.IsNullRef(ref udp)) return XdpAction.Pass;
                Count(udp.DestinationPort == NetworkOrder.ToNetwork((ushort)7201) ? 2u : 3u);
                return XdpAction.Pass;
            }
        }
        """;

    public static TheoryData<string> Modes => [nameof(XdpAttachMode.Native), nameof(XdpAttachMode.Generic)];

    /// <summary>
    /// Pair A (a0 in its namespace, a1 here) and pair B (b0 here, b1 in its namespace). Forward on a1 redirects UDP
    /// to port 7201 out of b0; b1 wears a1's MAC and IPv4 address, so the unchanged frames are its own and a socket
    /// bound there receives them. veth delivers XDP-redirected frames (ndo_xdp_xmit, veth_xdp_xmit) only when the
    /// target's peer has NAPI, i.e. a driver-mode XDP program or GRO: CountArrivals on b1, native, provides it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public void Redirects_matching_udp_out_of_another_veth_and_passes_the_rest(string mode)
    {
        using var a = VethPair.Create();
        using var b = VethPair.Create();
        uint target = uint.Parse(File.ReadAllText($"/sys/class/net/{b.HostInterface}/ifindex").Trim());
        string macA = File.ReadAllText($"/sys/class/net/{a.HostInterface}/address").Trim();
        Ip("-n", b.Namespace, "link", "set", b.PeerInterface, "down");
        Ip("-n", b.Namespace, "link", "set", b.PeerInterface, "address", macA);
        Ip("-n", b.Namespace, "link", "set", b.PeerInterface, "up");
        Ip("-n", b.Namespace, "addr", "add", a.HostAddress + "/32", "dev", b.PeerInterface);

        using var net = NetworkProgram.Load(Source, beforeLoad: bpf => bpf.GetGlobal<uint>("TargetIfindex").Value = target);
        using Socket atB = b.InNamespace(() => Udp.Bind(a.HostAddress, RedirectedPort));
        using Socket atAForRedirected = Udp.Bind(a.HostAddress, RedirectedPort), atAForOther = Udp.Bind(a.HostAddress, OtherPort);
        using var arrivals = b.InNamespace(() => net.Program("CountArrivals").AttachXdp(b.PeerInterface, XdpAttachMode.Native));
        using (net.Program("Forward").AttachXdp(a.HostInterface, Enum.Parse<XdpAttachMode>(mode)))
        {
            a.InNamespace(() =>
            {
                using Socket sender = Udp.Bind(a.PeerAddress, 0);
                // veth offloads the UDP checksum (CHECKSUM_PARTIAL: only the pseudo-header sum is in the packet). In
                // native mode the frame becomes an xdp_frame that loses that state, and b1's stack drops it
                // (UdpInCsumErrors); a real NIC would have filled the checksum in. So the sender sends none
                // (SO_NO_CHECK, valid for UDP over IPv4), which both modes deliver.
                sender.SetRawSocketOption(SolSocket, SoNoCheck, BitConverter.GetBytes(1));
                Udp.Send(sender, a.HostAddress, RedirectedPort, 5);
                Udp.Send(sender, a.HostAddress, OtherPort, 3);
            });
            List<byte[]> redirected = Udp.Drain(atB);
            Assert.Equal(["00", "01", "02", "03", "04"], redirected.Select(Convert.ToHexString));
            Assert.Empty(Udp.Drain(atAForRedirected));
            Assert.Equal(3, Udp.Drain(atAForOther).Count);
        }

        var counts = net.Bpf.GetArrayMap<ulong>("Counts");
        Assert.Equal(5UL, counts[0]);
        Assert.Equal(3UL, counts[1]);
        Assert.Equal(5UL, counts[2]);
        Assert.Equal(0UL, counts[3]);
    }

    [Fact]
    public void Test_run_returns_redirect_for_the_matching_packet_as_the_CLR_does()
    {
        using var net = NetworkProgram.Load(Source, beforeLoad: bpf => bpf.GetGlobal<uint>("TargetIfindex").Value = 1);
        byte[] matching = Packets.Udp4Frame(40000, RedirectedPort), other = Packets.Udp4Frame(40000, OtherPort);
        Assert.Equal(XdpAction.Redirect, Run(net, "Forward", matching));
        Assert.Equal(XdpAction.Pass, Run(net, "Forward", other));
        Assert.Equal(4, (int)XdpAction.Redirect);

        // Non-zero flags: bpf_redirect answers XDP_ABORTED in the kernel; the CLR body does the same.
        byte[] odd = Packets.Udp4Frame(40000, RedirectedPort, "hello!"), even = Packets.Udp4Frame(40000, RedirectedPort, "hello");
        if (odd.Length % 2 == 0) (odd, even) = (even, odd);
        Assert.Equal(XdpAction.Aborted, Run(net, "ForwardWithFlags", odd));
        Assert.Equal(XdpAction.Redirect, Run(net, "ForwardWithFlags", even));

        // The helper's documented CLR behaviour, called directly.
        Assert.Equal(XdpAction.Redirect, Bpf.XdpRedirect(7));
        Assert.Equal(XdpAction.Aborted, Bpf.XdpRedirect(7, 1));
    }

    /// <summary>The action the kernel returns for <paramref name="frame"/>, after checking the CLR returns the same.</summary>
    private static XdpAction Run(NetworkProgram net, string program, byte[] frame)
    {
        BpfTestRunResult kernel = net.Program(program).TestRun(frame, new byte[4096]);
        using var buffer = PacketBuffer.ForXdp(frame);
        var clr = (XdpAction)net.RunClr(program, buffer.Xdp)!;
        Assert.Equal((XdpAction)kernel.ReturnValue, clr);
        return clr;
    }

    private static void Ip(params string[] args)
    {
        var (exit, output) = ProcessRunner.Run("ip", args);
        Assert.True(exit == 0, $"ip {string.Join(' ', args)} failed ({exit}): {output}");
    }
}
