using System.Net;
using CsBpf.Runtime;
using Samples.XdpFilter;

// Usage: XdpFilter <interface> [seconds] [--drop <port>]... [--generic]   (root or CAP_NET_ADMIN+CAP_BPF)
if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: XdpFilter <interface> [seconds] [--drop <port>]... [--generic]");
    return 2;
}
string interfaceName = args[0];
int seconds = args.Length > 1 && int.TryParse(args[1], out int s) && s > 0 ? s : 10;
var blocked = args.Select((a, i) => (a, i)).Where(p => p.a == "--drop" && p.i + 1 < args.Length).Select(p => ushort.Parse(args[p.i + 1])).ToList();
bool generic = args.Contains("--generic");

using var bpf = PacketFilter.Load();   // generated: the .o is embedded in this assembly
foreach (ushort port in blocked) bpf.BlockedPorts[port] = 0;
using IDisposable attachment = generic ? bpf.AttachFilter(interfaceName, XdpAttachMode.Generic) : bpf.AttachFilter(interfaceName);
Console.WriteLine($"Filtering {interfaceName} for {seconds} s" + (blocked.Count > 0 ? $", dropping TCP/UDP to port(s) {string.Join(", ", blocked)}" : "") + "...");

for (int elapsed = 1; elapsed <= seconds; elapsed++)
{
    Thread.Sleep(TimeSpan.FromSeconds(1));
    var line = bpf.Protocols.Select((stats, protocol) => (protocol, stats)).Where(p => p.stats.Packets > 0)
        .Select(p => $"{ProtocolName(p.protocol)}: {p.stats.Packets} pkts {p.stats.Bytes} B");
    Console.WriteLine($"[{elapsed,3} s] " + string.Join("  ", line));
}
foreach (var (port, dropped) in bpf.BlockedPorts.OrderBy(e => e.Key))
    Console.WriteLine($"dropped to port {port}: {dropped}");
return 0;

static string ProtocolName(int protocol) => protocol switch { 1 => "ICMP", 6 => "TCP", 17 => "UDP", 58 => "ICMPv6", _ => $"proto {protocol}" };
