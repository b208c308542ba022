using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// Socket filters on a real UDP socket, cgroup_skb programs on the packets of a cgroup's processes, and a cgroup
/// connect4 program that redirects and refuses connect() calls: each attached in the kernel and observed through
/// the traffic and the maps; the socket filter and cgroup_skb programs are also run on the CLR and compared with
/// <c>BPF_PROG_TEST_RUN</c>.
/// </summary>
public class SocketProgramTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class SocketPrograms
        {
            [Map] static readonly ArrayMap<ulong> Counters = new(maxEntries: 8);
            [Map] static readonly ArrayMap<ushort> Ports = new(maxEntries: 4);

            static void Add(uint counter)
            {
                ref ulong n = ref Counters.GetValueRefOrNullRef(counter);
                if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
            }

            // A UDP socket's filter (the packet starts at the UDP header): datagrams starting with 'K' are kept,
            // 'T' ones truncated to 3 payload bytes, the others dropped.
            [SocketFilter]
            static int KeepK(SkBuffContext ctx)
            {
                if (ctx.LoadBytes(UdpHeader.Size, out byte first) != 0) return 0;
                ctx.Cb0 = first;
                if (first == (byte)'K') { Add(0); return (int)ctx.Len; }
                if (first == (byte)'T') { Add(1); return UdpHeader.Size + 3; }
                Add(2);
                return 0;
            }

            // Sent packets of the cgroup (the packet starts at the IP header): UDP datagrams whose payload starts with 'd' are dropped.
            [CgroupSkb(CgroupSkbDirection.Egress)]
            static int Egress(SkBuffContext ctx)
            {
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(0);
                if (Unsafe.IsNullRef(ref ip) || ip.Protocol != IpProtocols.Udp) return 1;
                ref byte first = ref ctx.GetRef<byte>((ip.VersionIhl & 0xF) * 4 + UdpHeader.Size);
                if (Unsafe.IsNullRef(ref first)) return 1;
                ctx.Mark = first;
                if (first != (byte)'d') { Add(3); return 1; }
                Add(4);
                return 0;
            }

            // Received packets of the cgroup's sockets: counted (TCP ones separately), all let through.
            [CgroupSkb(CgroupSkbDirection.Ingress)]
            static int Ingress(SkBuffContext ctx)
            {
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(0);
                if (!Unsafe.IsNullRef(ref ip) && ip.Protocol == IpProtocols.Tcp) Add(5);
                return 1;
            }

            // connect(): port Ports[0] becomes Ports[1] (and 127.0.0.2 becomes 127.0.0.1); port Ports[2] is refused.
            [CgroupSockAddr(SockAddrHook.Connect4)]
            static int Connect(SockAddrContext ctx)
            {
                ushort port = NetworkOrder.ToHost((ushort)ctx.UserPort);
                ref ushort from = ref Ports.GetValueRefOrNullRef(0);
                ref ushort to = ref Ports.GetValueRefOrNullRef(1);
                ref ushort refused = ref Ports.GetValueRefOrNullRef(2);
                if (Unsafe.IsNullRef(ref from) || Unsafe.IsNullRef(ref to) || Unsafe.IsNullRef(ref refused)) return 1;
                if (port == refused) { Add(6); return 0; }
                if (port == from)
                {
                    Add(7);
                    ctx.UserPort = NetworkOrder.ToNetwork(to);
                    if (ctx.UserIp4 == NetworkOrder.ToNetwork(0x7F000002u)) ctx.UserIp4 = NetworkOrder.ToNetwork(0x7F000001u);
                }
                return 1;
            }
        }
        """;

    [Fact]
    public void Socket_filter_keeps_truncates_and_drops_datagrams_of_its_socket()
    {
        using var net = NetworkProgram.Load(Source);
        using Socket receiver = Udp.Bind("127.0.0.1", 0), sender = Udp.Bind("127.0.0.1", 0);
        int port = ((IPEndPoint)receiver.LocalEndPoint!).Port;
        using (BpfSocketFilterAttachment attachment = net.Program("KeepK").AttachSocketFilter(receiver))
        {
            Assert.Same(receiver, attachment.Socket);
            foreach (string text in new[] { "Keep1", "drop", "Truncated", "Keep2", "x" })
                Udp.Send(sender, "127.0.0.1", port, 1, System.Text.Encoding.ASCII.GetBytes(text));
            Assert.Equal(["Keep1", "Tru", "Keep2"], Udp.Drain(receiver).Select(d => System.Text.Encoding.ASCII.GetString(d)));
            var counters = net.Bpf.GetArrayMap<ulong>("Counters");
            Assert.Equal((2UL, 1UL, 2UL), (counters[0], counters[1], counters[2]));
        }
        Udp.Send(sender, "127.0.0.1", port, 1, "drop"u8.ToArray());
        Assert.Equal(["drop"], Udp.Drain(receiver).Select(d => System.Text.Encoding.ASCII.GetString(d)));
    }

    [Fact]
    public void Socket_filter_attach_errors_and_detaching_a_filter_that_is_gone()
    {
        using var net = NetworkProgram.Load(Source);
        using Socket socket = Udp.Bind("127.0.0.1", 0);
        var wrongType = Assert.Throws<BpfAttachException>(() => net.Program("Egress").AttachSocketFilter(socket));
        Assert.Contains("only socket filters", wrongType.Message);

        var attachment = net.Program("KeepK").AttachSocketFilter(socket);
        socket.SetRawSocketOption(1, 27, new byte[4]); // SO_DETACH_BPF behind the attachment's back
        attachment.Dispose();                          // nothing left to detach: no error
        Assert.True(attachment.IsDisposed);

        var closed = net.Program("KeepK").AttachSocketFilter(socket);
        socket.Dispose();
        closed.Dispose();                              // the socket took its filter with it
        Assert.Throws<ObjectDisposedException>(() => net.Program("KeepK").AttachSocketFilter(socket));
    }

    [Fact]
    public void Socket_filter_and_cgroup_skb_programs_agree_with_the_CLR()
    {
        using var net = NetworkProgram.Load(Source);
        var mismatches = new List<string>();
        int runs = 0;
        foreach (string program in new[] { "KeepK", "Egress", "Ingress" })
            foreach (byte[] frame in Packets.WithTruncations([Packets.Udp4Frame(1, 2, "Kx"), Packets.Udp4Frame(1, 2, "Tx"), Packets.Udp4Frame(1, 2, "dx"), Packets.Tcp4Frame(1, 2, 0x10), Packets.ArpFrame()])
                         .Where(Packets.IsTestRunnableSkb))
            {
                var context = new byte[192];
                BpfTestRunResult kernel = net.Program(program).TestRunWithContext(frame, new byte[4096], context);
                // These programs see the packet from the IP header (test runs pull the Ethernet header first).
                using var buffer = PacketBuffer.ForSocket(frame.AsSpan(14), BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(12)));
                int clr = (int)net.RunClr(program, buffer.SkBuff)!;
                runs++;
                uint kernelMark = BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(8)), kernelCb0 = BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(48));
                if (kernel.ReturnValue != clr || kernelMark != buffer.SkBuff.Mark || kernelCb0 != buffer.SkBuff.Cb0)
                    mismatches.Add($"{program} {Convert.ToHexString(frame)}: kernel {kernel.ReturnValue} mark {kernelMark} cb0 {kernelCb0}, CLR {clr} mark {buffer.SkBuff.Mark} cb0 {buffer.SkBuff.Cb0}");
            }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {runs} runs differ:\n" + string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public async Task Cgroup_skb_drops_egress_and_counts_ingress_of_the_cgroup_processes_only()
    {
        using var net = NetworkProgram.Load(Source);
        using var cgroup = TestCgroup.Create();
        using Socket receiver = Udp.Bind("127.0.0.1", 0);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int udpPort = ((IPEndPoint)receiver.LocalEndPoint!).Port, tcpPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var egress = net.Program("Egress").AttachCgroup(cgroup.Path);
        using var ingress = net.Program("Ingress").AttachCgroup(cgroup.Path);

        Task<string> served = Task.Run(() =>
        {
            using TcpClient client = listener.AcceptTcpClient();
            using var stream = client.GetStream();
            stream.Write("hello from outside\n"u8);
            return new StreamReader(stream).ReadLine() ?? "";
        });
        var (exit, output) = cgroup.Run(
            $"for m in keep1 drop keep2 drop; do echo $m > /dev/udp/127.0.0.1/{udpPort}; done; " +
            $"exec 3<>/dev/tcp/127.0.0.1/{tcpPort} && read -r line <&3 && echo \"got: $line\" && echo bye >&3");
        Assert.Equal("bye", await served.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("got: hello from outside", output);
        Assert.Contains("Operation not permitted", output); // the dropped sends fail with EPERM
        Assert.Equal(0, exit);

        Assert.Equal(["keep1\n", "keep2\n"], Udp.Drain(receiver).Select(d => System.Text.Encoding.ASCII.GetString(d)));
        var counters = net.Bpf.GetArrayMap<ulong>("Counters");
        Assert.Equal(2UL, counters[4]);
        Assert.True(counters[3] >= 2, $"kept: {counters[3]}");
        Assert.True(counters[5] >= 2, $"TCP packets received by the cgroup: {counters[5]}");

        // This process is not in the cgroup: its datagrams starting with 'd' pass.
        using Socket outside = Udp.Bind("127.0.0.1", 0);
        Udp.Send(outside, "127.0.0.1", udpPort, 1, "drop"u8.ToArray());
        Assert.Single(Udp.Drain(receiver));
    }

    [Fact]
    public async Task Connect4_program_redirects_and_refuses_connects_of_the_cgroup()
    {
        using var net = NetworkProgram.Load(Source);
        using var cgroup = TestCgroup.Create();
        using var original = new TcpListener(IPAddress.Loopback, 0);
        using var redirected = new TcpListener(IPAddress.Loopback, 0);
        using var refused = new TcpListener(IPAddress.Loopback, 0);
        original.Start();
        redirected.Start();
        refused.Start();
        int from = ((IPEndPoint)original.LocalEndpoint).Port, to = ((IPEndPoint)redirected.LocalEndpoint).Port, deny = ((IPEndPoint)refused.LocalEndpoint).Port;
        var ports = net.Bpf.GetArrayMap<ushort>("Ports");
        ports[0] = (ushort)from;
        ports[1] = (ushort)to;
        ports[2] = (ushort)deny;
        using var link = net.Program("Connect").AttachCgroup(cgroup.Path);

        Task<string> accepted = Task.Run(() =>
        {
            using TcpClient client = redirected.AcceptTcpClient();
            return new StreamReader(client.GetStream()).ReadLine() ?? "";
        });
        var (exit, output) = cgroup.Run(
            $"exec 3<>/dev/tcp/127.0.0.2/{from} && echo 'to the original port' >&3; exec 3>&-; " +
            $"if exec 4<>/dev/tcp/127.0.0.1/{deny}; then echo connected-to-refused; else echo refused; fi");
        Assert.Equal("to the original port", await accepted.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(original.Pending());
        Assert.False(refused.Pending());
        Assert.Contains("Operation not permitted", output);
        Assert.Contains("refused", output);
        Assert.DoesNotContain("connected-to-refused", output);
        var counters = net.Bpf.GetArrayMap<ulong>("Counters");
        Assert.Equal((1UL, 1UL), (counters[6], counters[7]));
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Connect4_program_runs_on_the_CLR_over_a_sock_addr_buffer()
    {
        using var net = NetworkProgram.Load(Source);
        Type type = net.Clr.GetTypes().Single(t => t.Name == "SocketPrograms");
        object ports = type.GetField("Ports", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.GetValue(null)!;
        var update = ports.GetType().GetMethod("Update")!;
        foreach (var (index, value) in new[] { (0u, (ushort)80), (1u, (ushort)8080), (2u, (ushort)25) })
            update.Invoke(ports, [index, value, MapUpdateFlags.Any]);

        using (var address = SockAddrBuffer.ForIPv4(BinaryPrimitives.ReverseEndianness(0x7F000002u), 80))
        {
            Assert.Equal(1, net.RunClr("Connect", address.Context));
            Assert.Equal(8080, address.UserPort);
            Assert.Equal(BinaryPrimitives.ReverseEndianness(0x7F000001u), address.UserIp4);
        }
        using (var address = SockAddrBuffer.ForIPv4(BinaryPrimitives.ReverseEndianness(0x7F000001u), 25))
            Assert.Equal(0, net.RunClr("Connect", address.Context));
    }
}
