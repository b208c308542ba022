using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>
/// Per-CPU hash and array maps, LRU hash and LRU per-CPU hash maps, from C# BPF code (syscall programs run with
/// BPF_PROG_TEST_RUN on a pinned CPU) and from the host: each side reads what the other wrote.
/// </summary>
public sealed class HashFamilyTests : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Op;
        public uint Key;
        public ulong Value;
        public ulong Out;
    }

    private const string Members = """
        public struct Args { public uint Op; public uint Key; public ulong Value; public ulong Out; }

        [Map] static readonly PerCpuHashMap<uint, ulong> PcHash = new(maxEntries: 64);
        [Map] static readonly PerCpuArrayMap<ulong> PcArray = new(maxEntries: 8);
        [Map] static readonly LruHashMap<uint, ulong> Lru = new(maxEntries: 32);
        [Map] static readonly LruPerCpuHashMap<uint, ulong> LruPc = new(maxEntries: 32);

        static long Body(ref Args a)
        {
            switch (a.Op)
            {
                case 0: return PcHash.Update(a.Key, a.Value);
                case 1:
                {
                    // Read this CPU's value and add one to it in place.
                    ref ulong v = ref PcHash.GetValueRefOrNullRef(a.Key);
                    if (Unsafe.IsNullRef(ref v)) return -2;
                    a.Out = v;
                    v += 1;
                    return 0;
                }
                case 2: return PcArray.Update(a.Key, a.Value);
                case 3: return PcArray.TryGetValue(a.Key, out a.Out) ? 0 : -2;
                case 4: return Lru.Update(a.Key, a.Value);
                case 5: return Lru.TryGetValue(a.Key, out a.Out) ? 0 : -2;
                case 6: return LruPc.Update(a.Key, a.Value);
                case 7: return LruPc.TryGetValue(a.Key, out a.Out) ? 0 : -2;
                case 8: return Lru.Delete(a.Key);
                default: return -22;
            }
        }
        """;

    private readonly MapHarness<Args> _harness;

    public HashFamilyTests()
    {
        KernelEnvironment.Require();
        _harness = MapHarness<Args>.Syscall(Members, "hashfamily");
    }

    public void Dispose() => _harness.Dispose();

    private long Run(uint op, uint key, ulong value, out ulong output)
    {
        var a = new Args { Op = op, Key = key, Value = value };
        long r = _harness.Run(ref a);
        output = a.Out;
        return r;
    }

    private static ulong[] Expected(int cpu, ulong value)
    {
        var values = new ulong[BpfMap.PossibleCpuCount];
        values[cpu] = value;
        return values;
    }

    [Fact]
    public void Per_cpu_hash_BPF_writes_its_CPU_slot_and_the_host_reads_every_CPU()
    {
        var map = _harness.Object.GetPerCpuHashMap<uint, ulong>("PcHash");
        using var pin = new CpuPinning();
        Assert.Equal(0, Run(0, 7, 1234, out _));
        // A new element: this CPU's slot holds the value, every other CPU's is zero (pcpu_init_value).
        Assert.Equal(Expected(pin.Cpu, 1234), map[7]);
        Assert.Equal(0, Run(1, 7, 0, out ulong seen));
        Assert.Equal(1234UL, seen);
        Assert.Equal(Expected(pin.Cpu, 1235), map[7]);
    }

    [Fact]
    public void Per_cpu_hash_host_writes_every_CPU_and_BPF_reads_its_own()
    {
        var map = _harness.Object.GetPerCpuHashMap<uint, ulong>("PcHash");
        var values = Enumerable.Range(0, map.CpuCount).Select(c => 1000UL + (ulong)c).ToArray();
        map[9] = values;
        for (int cpu = 0; cpu < Environment.ProcessorCount; cpu++)
        {
            using var pin = new CpuPinning(cpu);
            Assert.Equal(0, Run(1, 9, 0, out ulong seen));
            Assert.Equal(1000UL + (ulong)cpu, seen);
        }
        Assert.Equal(-2, Run(1, 10, 0, out _));
    }

    [Fact]
    public void Per_cpu_array_both_directions()
    {
        var map = _harness.Object.GetPerCpuArrayMap<ulong>("PcArray");
        using (var pin = new CpuPinning())
        {
            Assert.Equal(0, Run(2, 3, 77, out _));
            Assert.Equal(Expected(pin.Cpu, 77), map[3]);
        }
        map[5] = Enumerable.Range(0, BpfMap.PossibleCpuCount).Select(c => 50UL + (ulong)c).ToArray();
        for (int cpu = 0; cpu < Environment.ProcessorCount; cpu++)
        {
            using var pin = new CpuPinning(cpu);
            Assert.Equal(0, Run(3, 5, 0, out ulong seen));
            Assert.Equal(50UL + (ulong)cpu, seen);
        }
        Assert.Equal(-7, Run(2, 8, 1, out _)); // index out of range: -E2BIG, as the CLR model says
    }

    [Fact]
    public void Lru_hash_evicts_instead_of_failing_and_the_host_sees_the_survivors()
    {
        var map = _harness.Object.GetHashMap<uint, ulong>("Lru");
        for (uint k = 1; k <= 96; k++) Assert.Equal(0, Run(4, k, k * 10, out _)); // three times max_entries, never E2BIG
        var contents = map.ToDictionary();
        Assert.InRange(contents.Count, 1, 32);
        Assert.Equal(960UL, contents[96]); // the newest element survives
        Assert.All(contents, kv => Assert.Equal(kv.Key * 10UL, kv.Value));

        map[500] = 5;
        Assert.Equal(0, Run(5, 500, 0, out ulong seen));
        Assert.Equal(5UL, seen);
        Assert.Equal(0, Run(8, 500, 0, out _));
        Assert.False(map.ContainsKey(500));
        Assert.Equal(-2, Run(8, 500, 0, out _));
    }

    [Fact]
    public void Lru_per_cpu_hash_both_directions()
    {
        var map = _harness.Object.GetPerCpuHashMap<uint, ulong>("LruPc");
        using (var pin = new CpuPinning())
        {
            Assert.Equal(0, Run(6, 4, 44, out _));
            Assert.Equal(Expected(pin.Cpu, 44), map[4]);
        }
        map[6] = Enumerable.Range(0, map.CpuCount).Select(c => 600UL + (ulong)c).ToArray();
        for (int cpu = 0; cpu < Environment.ProcessorCount; cpu++)
        {
            using var pin = new CpuPinning(cpu);
            Assert.Equal(0, Run(7, 6, 0, out ulong seen));
            Assert.Equal(600UL + (ulong)cpu, seen);
        }
    }

    [Fact]
    public void The_CLR_models_give_the_kernels_answers()
    {
        // The same Body on the CLR and in the kernel, pinned to one CPU, step by step (LRU kept under capacity:
        // which element the kernel evicts first is not specified).
        using var pin = new CpuPinning();
        (uint Op, uint Key, ulong Value)[] steps =
        [
            (0, 1, 10), (1, 1, 0), (1, 1, 0), (1, 2, 0), (0, 1, 99), (1, 1, 0),
            (2, 0, 5), (3, 0, 0), (3, 7, 0), (2, 8, 1), (3, 8, 0),
            (4, 1, 1), (4, 2, 2), (5, 1, 0), (5, 3, 0), (8, 1, 0), (8, 1, 0), (5, 1, 0),
            (6, 1, 3), (7, 1, 0), (7, 2, 0), (9, 0, 0),
        ];
        foreach (var (op, key, value) in steps)
        {
            var kernel = new Args { Op = op, Key = key, Value = value };
            var clr = kernel;
            long kr = _harness.Run(ref kernel);
            long cr = _harness.RunOnClr(ref clr);
            Assert.True(kr == cr && kernel.Equals(clr), $"op {op} key {key} value {value}: kernel {kr}/{kernel.Out}, CLR {cr}/{clr.Out}");
        }
    }
}
