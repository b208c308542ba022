using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Tests.Generators;

/// <summary>The generated loader has a property per map whose type is the host view of the map's kind, compiled
/// against the real CsBpf.Runtime.</summary>
public class MapKindLoaderTests
{
    private const string Program =
        """
        using CsBpf;
        namespace Samples
        {
            public struct Flow { public uint Src; public uint Dst; }
            [BpfProgram(License = "GPL")]
            public static partial class AllMaps
            {
                [Map] static readonly HashMap<uint, ulong> Hash = new(maxEntries: 8);
                [Map] static readonly ArrayMap<long> Array = new(maxEntries: 8);
                [Map] static readonly LruHashMap<Flow, ulong> Lru = new(maxEntries: 8);
                [Map] static readonly PerCpuHashMap<uint, ulong> PcHash = new(maxEntries: 8);
                [Map] static readonly LruPerCpuHashMap<uint, ulong> LruPc = new(maxEntries: 8);
                [Map] static readonly PerCpuArrayMap<ulong> PcArray = new(maxEntries: 8);
                [Map] static readonly LpmTrieMap<uint, ushort> Routes = new(maxEntries: 8);
                [Map] static readonly QueueMap<Flow> Fifo = new(maxEntries: 8);
                [Map] static readonly StackMap<ulong> Lifo = new(maxEntries: 8);
                [Map] static readonly RingBuffer Events = new(sizeBytes: 4096);
                [Map] static readonly PerfEventArray Samples = new();
                [Map] static readonly StackTraceMap Stacks = new(maxEntries: 8);
                [Map] static readonly ProgramArray Jumps = new(maxEntries: 8);
                [Map] static readonly ArrayOfMaps<HashMap<uint, ulong>> Tenants = new(8, new(8));
                [Map] static readonly HashOfMaps<Flow, ArrayMap<ulong>> PerFlow = new(8, new(8));

                [Tracepoint("syscalls", "sys_enter_getppid")]
                static int Run(TracepointContext ctx) => 0;
            }
        }
        """;

    [Theory]
    [InlineData("Hash", "CsBpf.Runtime.BpfHashMap<uint, ulong>")]
    [InlineData("Array", "CsBpf.Runtime.BpfArrayMap<long>")]
    [InlineData("Lru", "CsBpf.Runtime.BpfHashMap<Samples.Flow, ulong>")]
    [InlineData("PcHash", "CsBpf.Runtime.BpfPerCpuHashMap<uint, ulong>")]
    [InlineData("LruPc", "CsBpf.Runtime.BpfPerCpuHashMap<uint, ulong>")]
    [InlineData("PcArray", "CsBpf.Runtime.BpfPerCpuArrayMap<ulong>")]
    [InlineData("Routes", "CsBpf.Runtime.BpfLpmTrieMap<uint, ushort>")]
    [InlineData("Fifo", "CsBpf.Runtime.BpfQueueMap<Samples.Flow>")]
    [InlineData("Lifo", "CsBpf.Runtime.BpfStackMap<ulong>")]
    [InlineData("Events", "CsBpf.Runtime.BpfRingBuffer")]
    [InlineData("Samples", "CsBpf.Runtime.BpfPerfEventArray")]
    [InlineData("Stacks", "CsBpf.Runtime.BpfStackTraceMap")]
    [InlineData("Jumps", "CsBpf.Runtime.BpfProgramArray")]
    [InlineData("Tenants", "CsBpf.Runtime.BpfArrayOfMaps")]
    [InlineData("PerFlow", "CsBpf.Runtime.BpfHashOfMaps<Samples.Flow>")]
    public void Each_map_kind_gets_its_host_view(string map, string hostType)
    {
        var (sources, output, diagnostics) = GeneratorHarness.Run(Program);
        Assert.Empty(diagnostics);
        Assert.Single(sources);
        Assert.Empty(GeneratorHarness.Problems(output));
        var skeleton = output.GetTypeByMetadataName("Samples.AllMaps+Skeleton")!;
        Assert.Equal(hostType, skeleton.GetMembers(map).OfType<IPropertySymbol>().Single().Type.ToDisplayString());
    }

    [Fact]
    public void Host_code_uses_the_views()
    {
        const string host =
            """
            static class Host
            {
                static void Run()
                {
                    using var bpf = Samples.AllMaps.Load();
                    bpf.Routes[new CsBpf.LpmKey<uint>(8, 10)] = 1;
                    bpf.Fifo.Enqueue(new Samples.Flow());
                    bpf.Lifo.Push(1);
                    bpf.Jumps.Set(0, bpf.Run);
                    using var inner = CsBpf.Runtime.BpfMap.Create(CsBpf.BpfMapType.Hash, 4, 8, 8);
                    bpf.Tenants.Set(0, inner);
                    bpf.PerFlow.Set(new Samples.Flow(), inner);
                    ulong[] frames = bpf.Stacks.GetFrames(0);
                    bpf.Events.Consume(static _ => { });
                    bpf.Samples.Consume(static (_, _) => { });
                }
            }
            """;
        var (_, output, _) = GeneratorHarness.Run(Program, host);
        Assert.Empty(GeneratorHarness.Problems(output));
    }
}
