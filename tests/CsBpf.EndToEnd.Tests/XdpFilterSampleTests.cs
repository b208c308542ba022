using System.Net;
using System.Net.Sockets;
using CsBpf.TestSupport;
using Samples.XdpFilter;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The XdpFilter sample, built by dotnet build: its program attached through the generated loader to a veth pair
/// with real traffic, the sample executable itself run against the pair, and the same method on the CLR.
/// </summary>
public class XdpFilterSampleTests
{
    [Fact]
    public void Sample_object_is_embedded_under_the_generated_resource_name()
    {
        Assert.Contains(PacketFilter.BpfObjectResourceName, typeof(PacketFilter).Assembly.GetManifestResourceNames());
    }

    [Fact]
    public void Counts_per_protocol_and_drops_blocked_ports_on_a_veth_pair()
    {
        KernelEnvironment.Require();
        using var veth = VethPair.Create();
        using var bpf = PacketFilter.Load();
        bpf.BlockedPorts[7002] = 0;
        using var receiver = Bind(veth.HostAddress, 7001);
        using var blocked = Bind(veth.HostAddress, 7002);
        using (bpf.AttachFilter(veth.HostInterface))
        {
            SendFromNamespace(veth, (7001, 6), (7002, 4));
            Assert.Equal(6, Drain(receiver));
            Assert.Equal(0, Drain(blocked));
        }
        Assert.Equal(4UL, bpf.BlockedPorts[7002]);
        ProtocolStats udp = bpf.Protocols[17];
        Assert.Equal(10UL, udp.Packets);
        Assert.Equal(10UL * (14 + 20 + 8 + 1), udp.Bytes);

        // Detached: nothing is dropped any more.
        SendFromNamespace(veth, (7002, 2));
        Assert.Equal(2, Drain(blocked));
    }

    [Fact]
    public async Task The_sample_program_runs_against_a_veth_pair()
    {
        KernelEnvironment.Require();
        using var veth = VethPair.Create();
        string dll = typeof(PacketFilter).Assembly.Location;
        var traffic = Task.Run(async () =>
        {
            // Keep sending until the sample has attached and counted (it prints each second).
            for (int i = 0; i < 30; i++)
            {
                SendFromNamespace(veth, (7002, 1), (7003, 1));
                await Task.Delay(150);
            }
        });
        var (exit, output) = ProcessRunner.Run("dotnet", [dll, veth.HostInterface, "3", "--drop", "7002"], timeoutSeconds: 120);
        await traffic;
        Assert.True(exit == 0, output);
        Assert.Contains($"Filtering {veth.HostInterface} for 3 s, dropping TCP/UDP to port(s) 7002", output);
        Assert.Matches(@"UDP: [1-9]\d* pkts", output);
        Assert.Matches(@"dropped to port 7002: [1-9]\d*", output);
    }

    [Fact]
    public void The_filter_runs_on_the_CLR_over_a_packet_buffer()
    {
        var filter = typeof(PacketFilter).GetMethod("Filter", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var blockedPorts = (CsBpf.HashMap<ushort, ulong>)typeof(PacketFilter).GetField("BlockedPorts", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        blockedPorts.Update(53, 0);
        byte[] dns = Frame(udpDestination: 53), other = Frame(udpDestination: 80);
        using (var packet = CsBpf.PacketBuffer.ForXdp(dns)) Assert.Equal(CsBpf.XdpAction.Drop, filter.Invoke(null, [packet.Xdp]));
        using (var packet = CsBpf.PacketBuffer.ForXdp(other)) Assert.Equal(CsBpf.XdpAction.Pass, filter.Invoke(null, [packet.Xdp]));
        using (var packet = CsBpf.PacketBuffer.ForXdp(dns[..20])) Assert.Equal(CsBpf.XdpAction.Drop, filter.Invoke(null, [packet.Xdp])); // cut-off IPv4 header
        Assert.True(blockedPorts.TryGetValue(53, out ulong dropped));
        Assert.Equal(1UL, dropped);
    }

    /// <summary>An Ethernet + IPv4 + UDP frame (checksums are not looked at by the filter).</summary>
    private static byte[] Frame(ushort udpDestination)
    {
        var frame = new byte[14 + 20 + 8];
        frame[12] = 0x08;
        frame[14] = 0x45;
        frame[23] = 17;
        frame[36] = (byte)(udpDestination >> 8);
        frame[37] = (byte)udpDestination;
        return frame;
    }

    private static Socket Bind(string address, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        return socket;
    }

    private static void SendFromNamespace(VethPair veth, params (int Port, int Count)[] datagrams) =>
        veth.InNamespace(() =>
        {
            using var sender = Bind(veth.PeerAddress, 0);
            foreach (var (port, count) in datagrams)
                for (int i = 0; i < count; i++) sender.SendTo([(byte)i], new IPEndPoint(IPAddress.Parse(veth.HostAddress), port));
        });

    private static int Drain(Socket socket)
    {
        int count = 0;
        var buffer = new byte[2048];
        while (socket.Poll(400_000, SelectMode.SelectRead))
        {
            socket.Receive(buffer);
            count++;
        }
        return count;
    }
}
