using System.Net;
using System.Runtime.InteropServices;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>
/// LPM tries with IPv4 prefixes: routes written by the host and matched by BPF code, routes written by BPF code and
/// matched by the host, and random operations agreeing with the CLR model. (Sleepable syscall programs may not use
/// LPM tries, so the BPF side runs on a tracepoint the test thread triggers.)
/// </summary>
public sealed class LpmTrieTests : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Op;
        public uint PrefixLength;
        public uint Address;
        public uint Pad;
        public ulong Value;
        public ulong Out;
    }

    private const string Members = """
        public struct Args { public uint Op; public uint PrefixLength; public uint Address; public uint Pad; public ulong Value; public ulong Out; }

        [Map] static readonly LpmTrieMap<uint, ulong> Routes = new(maxEntries: 16);

        static long Body(ref Args a, TracepointContext ctx)
        {
            LpmKey<uint> key = default;
            key.PrefixLength = a.PrefixLength;
            key.Data = a.Address;
            switch (a.Op)
            {
                case 0: return Routes.Update(key, a.Value, (MapUpdateFlags)a.Pad);
                case 1: return Routes.TryGetValue(key, out a.Out) ? 0 : -2;
                case 2: return Routes.Delete(key);
                case 3:
                {
                    ref ulong hits = ref Routes.GetValueRefOrNullRef(key);
                    if (Unsafe.IsNullRef(ref hits)) return -2;
                    hits += 1;
                    a.Out = hits;
                    return 0;
                }
                default: return -22;
            }
        }
        """;

    private readonly MapHarness<Args> _harness;

    public LpmTrieTests()
    {
        KernelEnvironment.Require();
        _harness = MapHarness<Args>.Tracepoint(Members, "lpm");
    }

    public void Dispose() => _harness.Dispose();

    /// <summary>An IPv4 address as the network-order uint the trie compares bit by bit.</summary>
    private static uint Ip(string address) => BitConverter.ToUInt32(IPAddress.Parse(address).GetAddressBytes());

    private long Run(uint op, string address, uint prefix, ulong value, out ulong output)
    {
        var a = new Args { Op = op, Address = Ip(address), PrefixLength = prefix, Value = value };
        long r = _harness.Run(ref a);
        output = a.Out;
        return r;
    }

    [Fact]
    public void BPF_matches_the_longest_prefix_the_host_stored()
    {
        var routes = _harness.Object.GetLpmTrieMap<uint, ulong>("Routes");
        Assert.Equal(32u, routes.MaxPrefixLength);
        routes[new LpmKey<uint>(8, Ip("10.0.0.0"))] = 1;
        routes[new LpmKey<uint>(16, Ip("10.1.0.0"))] = 2;
        routes[new LpmKey<uint>(24, Ip("10.1.2.0"))] = 3;

        Assert.Equal(0, Run(1, "10.1.2.3", 32, 0, out ulong v));
        Assert.Equal(3UL, v);
        Assert.Equal(0, Run(1, "10.1.9.9", 32, 0, out v));
        Assert.Equal(2UL, v);
        Assert.Equal(0, Run(1, "10.200.0.1", 32, 0, out v));
        Assert.Equal(1UL, v);
        Assert.Equal(0, Run(1, "10.1.2.3", 20, 0, out v)); // the key's own prefix length bounds the match
        Assert.Equal(2UL, v);
        Assert.Equal(-2, Run(1, "11.0.0.1", 32, 0, out _));
        Assert.Equal(0, Run(3, "10.1.2.200", 32, 0, out v)); // a reference into the matched value
        Assert.Equal(4UL, v);
        Assert.Equal(4UL, routes[new LpmKey<uint>(24, Ip("10.1.2.0"))]);
    }

    [Fact]
    public void The_host_matches_what_BPF_stored_and_walks_the_prefixes()
    {
        var routes = _harness.Object.GetLpmTrieMap<uint, ulong>("Routes");
        Assert.Equal(0, Run(0, "0.0.0.0", 0, 99, out _)); // the default route
        Assert.Equal(0, Run(0, "192.168.0.0", 16, 16, out _));
        Assert.Equal(0, Run(0, "192.168.7.0", 24, 24, out _));
        Assert.Equal(-22, Run(0, "192.168.7.0", 33, 1, out _)); // longer than the data: -EINVAL

        Assert.True(routes.TryMatch(Ip("192.168.7.7"), out ulong v));
        Assert.Equal(24UL, v);
        Assert.True(routes.TryMatch(Ip("192.168.8.1"), out v));
        Assert.Equal(16UL, v);
        Assert.True(routes.TryMatch(Ip("8.8.8.8"), out v));
        Assert.Equal(99UL, v);
        Assert.Equal(3, routes.Count);
        Assert.Equal(
            new[] { (0u, 99UL), (16u, 16UL), (24u, 24UL) },
            routes.Select(kv => (kv.Key.PrefixLength, kv.Value)).OrderBy(p => p.PrefixLength));

        Assert.Equal(0, Run(2, "192.168.7.0", 24, 0, out _));
        Assert.True(routes.TryMatch(Ip("192.168.7.7"), out v));
        Assert.Equal(16UL, v);
        Assert.Equal(-2, Run(2, "192.168.7.0", 24, 0, out _));
    }

    [Fact]
    public void Random_operations_agree_with_the_CLR_model()
    {
        var random = new Random(4242);
        string[] bases = ["10.0.0.0", "10.1.0.0", "10.1.2.0", "172.16.0.0", "192.168.1.0", "0.0.0.0"];
        for (int step = 0; step < 150; step++)
        {
            uint op = (uint)random.Next(4);
            uint prefix = (uint)random.Next(0, 34);
            uint address = Ip(bases[random.Next(bases.Length)]) ^ (uint)random.Next(0, 256) << 24;
            var kernel = new Args { Op = op, PrefixLength = prefix, Address = address, Value = (ulong)step, Pad = (uint)random.Next(0, 3) };
            var clr = kernel;
            long kr = _harness.Run(ref kernel);
            long cr = _harness.RunOnClr(ref clr);
            Assert.True(kr == cr && kernel.Equals(clr),
                $"step {step}: op {op} {new IPAddress(address)}/{prefix}: kernel {kr}/{kernel.Out}, CLR {cr}/{clr.Out}");
        }
    }
}
