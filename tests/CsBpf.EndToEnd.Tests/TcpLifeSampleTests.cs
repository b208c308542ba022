using System.Net;
using System.Net.Sockets;
using CsBpf.TestSupport;
using Samples.TcpLife;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The TcpLife sample (BCC's tcplife), built by dotnet build and run as its own process against the live kernel:
/// the test makes loopback TCP sessions with known ports and byte counts and finds both ends in the tool's
/// output with the right addresses, ports, kilobytes each way and a lifespan covering the time it held them open.
/// </summary>
public class TcpLifeSampleTests
{
    private static string SampleDll => typeof(TcpLifespans).Assembly.Location;

    [Fact]
    public void Both_ends_of_a_loopback_session_with_ports_bytes_and_lifespan()
    {
        KernelEnvironment.Require();
        using var sample = SampleProcess.Start(SampleDll, "-p", Environment.ProcessId.ToString());
        sample.WaitForLine(l => l.StartsWith("PID   COMM", StringComparison.Ordinal)); // printed once attached

        using var listener = Listen(IPAddress.Loopback);
        var (client, server) = Session(listener, sent: 300 * 1024, received: 100 * 1024, holdMs: 150);
        string clientLine = sample.WaitForLine(l => Fields(l) is { Length: 9 } f && f[3] == client.Port.ToString() && f[5] == server.Port.ToString());
        string serverLine = sample.WaitForLine(l => Fields(l) is { Length: 9 } f && f[3] == server.Port.ToString() && f[5] == client.Port.ToString());
        Assert.Equal(0, sample.Interrupt());

        // PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS
        string[] c = Fields(clientLine), s = Fields(serverLine);
        Assert.Equal([Environment.ProcessId.ToString(), "127.0.0.1", "127.0.0.1", "300", "100"], [c[0], c[2], c[4], c[6], c[7]]);
        Assert.Equal([Environment.ProcessId.ToString(), "127.0.0.1", "127.0.0.1", "100", "300"], [s[0], s[2], s[4], s[6], s[7]]);
        Assert.InRange(double.Parse(c[8], System.Globalization.CultureInfo.InvariantCulture), 150, 60_000); // held open 150 ms
        Assert.InRange(double.Parse(s[8], System.Globalization.CultureInfo.InvariantCulture), 150, 60_000);
        // -p: nothing of other processes.
        Assert.All(sample.Lines.Skip(1), l => Assert.Equal(Environment.ProcessId.ToString(), Fields(l)[0]));
    }

    [Fact]
    public void Ipv6_only_remote_port_filter_in_csv()
    {
        KernelEnvironment.Require();
        using var listener = Listen(IPAddress.IPv6Loopback);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var sample = SampleProcess.Start(SampleDll, "-s", "-6", "-D", port.ToString(), "-d", "20");
        sample.WaitForLine(l => l == "PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS");

        using (var v4 = Listen(IPAddress.Loopback)) Session(v4, sent: 4096, received: 1024, holdMs: 0); // IPv4: not shown
        var (client, server) = Session(listener, sent: 5 * 1024, received: 2048, holdMs: 0);
        Assert.Equal(port, server.Port);
        string line = sample.WaitForLine(l => l.Contains($",{client.Port},", StringComparison.Ordinal));
        Assert.Equal(0, sample.Interrupt());

        string[] f = line.Split(',');
        Assert.Equal([Environment.ProcessId.ToString(), "6", "::1", client.Port.ToString(), "::1", port.ToString(), "5", "2"],
                     [f[0], f[2], f[3], f[4], f[5], f[6], f[7], f[8]]);
        // -D: the server's end (remote port = the client's) is not shown, nor anything IPv4.
        Assert.Equal(2, sample.Lines.Count(l => l.Contains($",{client.Port},", StringComparison.Ordinal) || l.StartsWith("PID,", StringComparison.Ordinal)));
        Assert.DoesNotContain(sample.Lines, l => l.Contains(",4,", StringComparison.Ordinal));
    }

    [Fact]
    public void The_state_machine_runs_on_the_CLR()
    {
        var flags = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
        var onStateChange = typeof(TcpLifespans).GetMethod("OnStateChange", flags)!;
        var ring = (CsBpf.RingBuffer)typeof(TcpLifespans).GetField("Sessions", flags)!.GetValue(null)!;
        InetSockSetState Record(ulong sk, int state, ushort protocol = 6)
        {
            var r = new InetSockSetState { Skaddr = sk, Newstate = state, Protocol = protocol, Family = 2, Sport = 40000, Dport = 80 };
            r.Saddr[0] = 127;
            r.Saddr[3] = 1;
            r.Daddr[0] = 10;
            return r;
        }
        void Change(InetSockSetState r) => Assert.Equal(0, onStateChange.Invoke(null, [r]));

        Change(Record(0xA000, 7));                         // CLOSE of a session born before we started: nothing
        Change(Record(0xB000, 2, protocol: 17));           // not TCP
        Change(Record(0xB000, 7, protocol: 17));
        Assert.False(ring.TryRead(out _));

        Change(Record(0xC000, 2));                         // SYN_SENT: born, owned by this process
        Change(Record(0xC000, 1));                         // ESTABLISHED
        Thread.Sleep(20);
        Change(Record(0xC000, 4));                         // FIN_WAIT1
        Change(Record(0xC000, 7));                         // CLOSE: one session
        Assert.True(ring.TryRead(out byte[] bytes));
        Assert.False(ring.TryRead(out _));
        var session = System.Runtime.InteropServices.MemoryMarshal.Read<TcpSession>(bytes);
        Assert.Equal((uint)Environment.ProcessId, session.Pid);
        Assert.Equal((40000, 80, 2), (session.LocalPort, session.RemotePort, session.Family));
        Assert.Equal([127, 0, 0, 1], ((ReadOnlySpan<byte>)session.LocalAddress).ToArray());
        Assert.Equal(10, session.RemoteAddress[0]);
        Assert.InRange(session.DurationNs, 15_000_000UL, 60_000_000_000UL);
        Assert.Equal(0UL, session.ReceivedBytes); // kernel memory is out of reach on the CLR
    }

    /// <summary>
    /// A TCP session with <paramref name="listener"/>: the client sends <paramref name="sent"/> bytes, the server
    /// answers with <paramref name="received"/>, both hold it <paramref name="holdMs"/> more, the client closes
    /// first and the server after reading the end. Returns the two ends.
    /// </summary>
    private static (IPEndPoint Client, IPEndPoint Server) Session(Socket listener, int sent, int received, int holdMs)
    {
        var serverEnd = (IPEndPoint)listener.LocalEndPoint!;
        var serving = Task.Run(() =>
        {
            using Socket accepted = listener.Accept();
            var buffer = new byte[65536];
            for (int got = 0; got < sent;) got += accepted.Receive(buffer);
            accepted.Send(new byte[received]);
            while (accepted.Receive(buffer) > 0) { } // until the client's FIN
        });                                           // then close: LAST_ACK, in this process
        IPEndPoint clientEnd;
        using (var client = new Socket(serverEnd.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            client.Connect(serverEnd);
            clientEnd = (IPEndPoint)client.LocalEndPoint!;
            client.Send(new byte[sent]);
            var buffer = new byte[65536];
            for (int got = 0; got < received;) got += client.Receive(buffer);
            Thread.Sleep(holdMs);
        }
        Assert.True(serving.Wait(TimeSpan.FromSeconds(30)), "the server end did not finish");
        return (clientEnd, serverEnd);
    }

    private static Socket Listen(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen();
        return listener;
    }

    private static string[] Fields(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) switch
    {
        // COMM may hold spaces (".NET TP Worker"): PID, then everything up to the 7 numeric/address columns.
        { Length: >= 9 } f => [f[0], string.Join(' ', f[1..^7]), .. f[^7..]],
        var f => f,
    };
}
