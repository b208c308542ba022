using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using CsBpf;
using CsBpf.Runtime;
using Samples.Shared;
using Samples.TcpLife;

// tcplife: trace the lifespan of TCP sessions and summarize, like BCC's tcplife (root or CAP_BPF+CAP_PERFMON).
const string Usage = """
    usage: TcpLife [-T] [-t] [-w] [-s] [-p PID] [-L PORTS] [-D PORTS] [-4 | -6] [-d SECONDS]
      -T, --time         include a time column on output (HH:MM:SS)
      -t, --timestamp    include a timestamp on output (seconds)
      -w, --wide         wide column output (fits IPv6 addresses)
      -s, --csv          comma separated values output
      -p, --pid PID      trace this PID only
      -L, --localport P  comma-separated list of local ports to trace
      -D, --remoteport P comma-separated list of remote ports to trace
      -4, --ipv4         trace IPv4 family only
      -6, --ipv6         trace IPv6 family only
      -d, --duration S   stop after S seconds (default: until Ctrl-C)
    """;
const ushort AfInet = 2, AfInet6 = 10;

bool time = false, timestamp = false, wide = false, csv = false;
uint pid = 0;
ushort family = 0;
ushort[] localPorts = [], remotePorts = [];
double? duration = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    static ushort[] Ports(string list) => [.. list.Split(',').Select(p => ushort.Parse(p, CultureInfo.InvariantCulture))];
    try
    {
        switch (args[i])
        {
            case "-T" or "--time": time = true; break;
            case "-t" or "--timestamp": timestamp = true; break;
            case "-w" or "--wide": wide = true; break;
            case "-s" or "--csv": csv = true; break;
            case "-p" or "--pid": pid = uint.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-L" or "--localport": localPorts = Ports(Value()); break;
            case "-D" or "--remoteport": remotePorts = Ports(Value()); break;
            case "-4" or "--ipv4": family = AfInet; break;
            case "-6" or "--ipv6": family = AfInet6; break;
            case "-d" or "--duration": duration = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"TcpLife: {e.Message}\n{Usage}");
        return 2;
    }
}
if (args.Contains("-4") && args.Contains("-6") || localPorts.Length > 64 || remotePorts.Length > 64)
{
    Console.Error.WriteLine($"TcpLife: -4 and -6 exclude each other; at most 64 ports per list\n{Usage}");
    return 2;
}

try
{
    return await Run();
}
catch (Exception e) when (e is BpfException or IOException or KeyNotFoundException or InvalidDataException)
{
    // Not root, a kernel without what the tool needs, …: the message says what and why.
    Console.Error.WriteLine($"TcpLife: {e.Message}");
    return 1;
}

async Task<int> Run()
{
    using var bpf = TcpLifespans.Open();
    bpf.TargetPid = pid;
    bpf.TargetFamily = family;
    bpf.FilterLocalPorts = localPorts.Length > 0;
    bpf.FilterRemotePorts = remotePorts.Length > 0;
    // No CO-RE yet: the byte counters of struct tcp_sock are read at offsets the kernel's BTF gives the host.
    var btf = KernelBtf.Load();
    bpf.TcpBytesReceived = (ulong)btf.OffsetOf("tcp_sock", "bytes_received");
    bpf.TcpBytesAcked = (ulong)btf.OffsetOf("tcp_sock", "bytes_acked");
    bpf.Load();
    foreach (ushort port in localPorts) bpf.LocalPorts[port] = 1;
    foreach (ushort port in remotePorts) bpf.RemotePorts[port] = 1;
    bpf.AttachAll(); // the links are disposed with the object

    using var stop = new CancellationTokenSource();
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    if (duration is double seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));

    // BCC's columns: PID COMM [IP] LADDR LPORT RADDR RPORT TX_KB RX_KB MS.
    string prefix = "";
    if (time) prefix += csv ? "TIME," : $"{"TIME",-8} ";
    if (timestamp) prefix += csv ? "TIME(s)," : $"{"TIME(s)",-9} ";
    Console.WriteLine(prefix + (csv ? "PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS"
        : wide ? $"{"PID",-5} {"COMM",-16} {"IP",-2} {"LADDR",-26} {"LPORT",-5} {"RADDR",-26} {"RPORT",-5} {"TX_KB",6} {"RX_KB",6} MS"
        : $"{"PID",-5} {"COMM",-10} {"LADDR",-15} {"LPORT",-5} {"RADDR",-15} {"RPORT",-5} {"TX_KB",5} {"RX_KB",5} MS"));

    ulong? firstClose = null;
    try
    {
        await foreach (TcpSession s in bpf.Sessions.ReadAllAsync<TcpSession>(stop.Token))
            Console.WriteLine(Format(s));
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        // Ctrl-C, SIGTERM or the duration: a clean exit.
    }
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // we exit ourselves, after detaching
        stop.Cancel();
    }

    string Format(in TcpSession s)
    {
        bool v6 = s.Family == AfInet6;
        string local = v6 ? Address(s.LocalAddress6) : Address(s.LocalAddress);
        string remote = v6 ? Address(s.RemoteAddress6) : Address(s.RemoteAddress);
        string comm = s.Comm.ToString(), ip = v6 ? "6" : "4";
        ulong tx = s.AckedBytes / 1024, rx = s.ReceivedBytes / 1024;
        string ms = (s.DurationNs / 1e6).ToString("F2", CultureInfo.InvariantCulture);
        firstClose ??= s.ClosedNs;

        string line = "";
        if (time) line += csv ? $"{DateTime.Now:HH:mm:ss}," : $"{DateTime.Now:HH:mm:ss} ";
        if (timestamp)
        {
            string t = ((s.ClosedNs - firstClose.Value) / 1e9).ToString("F6", CultureInfo.InvariantCulture);
            line += csv ? t + "," : $"{t,-9} ";
        }
        return line + (csv ? $"{s.Pid},{comm},{ip},{local},{s.LocalPort},{remote},{s.RemotePort},{tx},{rx},{ms}"
            : wide ? $"{s.Pid,-5} {Clip(comm, 16),-16} {ip,-2} {local,-26} {s.LocalPort,-5} {remote,-26} {s.RemotePort,-5} {tx,6} {rx,6} {ms}"
            : $"{s.Pid,-5} {Clip(comm, 10),-10} {local,-15} {s.LocalPort,-5} {remote,-15} {s.RemotePort,-5} {tx,5} {rx,5} {ms}");
    }

    static string Clip(string text, int width) => text.Length > width ? text[..width] : text;

    static string Address<T>(T bytes) where T : unmanaged => new IPAddress(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in bytes))).ToString();
}
