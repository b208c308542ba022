using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>
/// The map kinds tied to a program's context, from a C# tracepoint program: perf event output (BPF writes, the host
/// reader gets the records), stack ids (BPF records stacks, the host reads and deletes frames) and tail calls (the
/// host fills the program array, BPF jumps through it).
/// </summary>
public sealed class TracingMapTests : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Op;
        public uint Index;
        public ulong Seq;
        public ulong Flags;
        public long Out;
        public long Depth;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Sample
    {
        public ulong Seq;
        public ulong Check;
        public uint Tid;
        public uint Pad;
    }

    private const string Members = """
        public struct Args { public uint Op; public uint Index; public ulong Seq; public ulong Flags; public long Out; public long Depth; }
        public struct Sample { public ulong Seq; public ulong Check; public uint Tid; public uint Pad; }

        [Map] static readonly PerfEventArray Samples = new();
        [Map] static readonly StackTraceMap Stacks = new(maxEntries: 256);
        [Map] static readonly ProgramArray Jumps = new(maxEntries: 4);

        static long Body(ref Args a, TracepointContext ctx)
        {
            switch (a.Op)
            {
                case 0:
                {
                    Sample s = default;
                    s.Seq = a.Seq;
                    s.Check = ~a.Seq;
                    s.Tid = (uint)Bpf.GetCurrentPidTgid();
                    return Samples.Output(ctx, s);
                }
                case 1:
                    a.Out = Stacks.GetStackId(ctx, (StackTraceFlags)a.Flags, a.Index);
                    return a.Out < 0 ? a.Out : 0;
                case 2:
                    Jumps.TailCall(ctx, a.Index);
                    return -1; // the slot was empty: the call fell through
                default:
                    return -22;
            }
        }

        // Tail-call targets (tracepoint programs too: a program array holds one program type). The harness
        // attaches only HarnessEntry.
        [Tracepoint("syscalls", "sys_enter_getppid")]
        static int Answer(TracepointContext ctx)
        {
            HarnessResult.Update(0, 4242);
            return 0;
        }

        [Tracepoint("syscalls", "sys_enter_getppid")]
        static int Again(TracepointContext ctx)
        {
            ref Args a = ref HarnessArgs.GetValueRefOrNullRef(0);
            if (Unsafe.IsNullRef(ref a)) return 0;
            a.Depth += 1;
            HarnessResult.Update(0, a.Depth);
            Jumps.TailCall(ctx, 3); // itself, until the kernel's limit stops the chain
            return 0;
        }
        """;

    private readonly MapHarness<Args> _harness;

    public TracingMapTests()
    {
        KernelEnvironment.Require();
        _harness = MapHarness<Args>.Tracepoint(Members, "tracing");
    }

    public void Dispose() => _harness.Dispose();

    private long Run(uint op, uint index = 0, ulong seq = 0, ulong flags = 0) => Run(op, index, seq, flags, out _);

    private long Run(uint op, uint index, ulong seq, ulong flags, out Args after)
    {
        after = new Args { Op = op, Index = index, Seq = seq, Flags = flags };
        return _harness.Run(ref after);
    }

    [Fact]
    public void Perf_event_output_records_reach_the_host_reader_in_order()
    {
        var samples = _harness.Object.GetPerfEventArray("Samples");
        using var pin = new CpuPinning();
        for (ulong seq = 1; seq <= 50; seq++) Assert.Equal(0, Run(0, seq: seq));

        var seen = new List<ulong>();
        int tid = Native.gettid();
        int handled = samples.Consume((cpu, sample) =>
        {
            Assert.Equal(pin.Cpu, cpu);
            var s = MemoryMarshal.Read<Sample>(sample);
            Assert.Equal(~s.Seq, s.Check);
            Assert.Equal((uint)tid, s.Tid);
            seen.Add(s.Seq);
        });
        Assert.Equal(50, handled);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (ulong)i), seen);
        Assert.Equal(0, samples.LostSamples);
    }

    [Fact]
    public void Perf_event_output_without_a_reader_fails_with_ENOENT()
    {
        // Nobody opened the CPU's perf event, so the map slot is empty (bpf_perf_event_output: -ENOENT).
        Assert.Equal(-2, Run(0, seq: 1));
    }

    [Fact]
    public void Stack_ids_name_stacks_the_host_reads_as_kernel_frames()
    {
        var stacks = _harness.Object.GetStackTraceMap("Stacks");
        Assert.Equal(127, stacks.MaxDepth);
        Assert.Equal(0, Run(1, 0, 0, 0, out Args first));
        Assert.Equal(0, Run(1, 0, 0, 0, out Args second));
        Assert.True(first.Out >= 0);
        Assert.Equal(first.Out, second.Out); // the same path gets the same id

        ulong[] frames = stacks.GetFrames((uint)first.Out);
        Assert.NotEmpty(frames);
        Assert.All(frames, ip => Assert.True(ip >= 0xffff800000000000UL, $"0x{ip:x} is not a kernel address"));
        string[] symbols = Kallsyms.Resolve(frames);
        Assert.Contains(symbols, s => s.Contains("syscall", StringComparison.Ordinal));
        Assert.Contains((uint)first.Out, stacks.StackIds);

        // Skipping frames gives a shorter stack (and so another id).
        Assert.Equal(0, Run(1, 1, 0, 0, out Args skipped));
        Assert.NotEqual(first.Out, skipped.Out);
        Assert.Equal(frames.Length - 1, stacks.GetFrames((uint)skipped.Out).Length);
        Assert.Equal(frames[1..], stacks.GetFrames((uint)skipped.Out));

        Assert.True(stacks.Delete((uint)first.Out));
        Assert.False(stacks.TryGetFrames((uint)first.Out, new ulong[127]));
    }

    [Fact]
    public void User_stacks_are_user_addresses()
    {
        var stacks = _harness.Object.GetStackTraceMap("Stacks");
        Assert.Equal(0, Run(1, 0, 0, (ulong)StackTraceFlags.UserStack, out Args after));
        ulong[] frames = stacks.GetFrames((uint)after.Out);
        Assert.NotEmpty(frames);
        Assert.All(frames, ip => Assert.True(ip < 0x0000800000000000UL, $"0x{ip:x} is not a user address"));
        // The innermost frame is in libc's getppid wrapper.
        Assert.Contains("libc", ProcessMaps.FileOf(frames[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void Tail_calls_jump_to_the_programs_the_host_put_in_the_array()
    {
        var jumps = _harness.Object.GetProgramArray("Jumps");
        Assert.Equal(4, jumps.Length);
        Assert.Equal(-1, Run(2, index: 1)); // empty slot: falls through

        jumps.Set(1, "Answer");
        Assert.True(jumps.TryGetProgramId(1, out uint id));
        Assert.NotEqual(0u, id);
        Assert.Equal(4242, Run(2, index: 1));
        Assert.Equal(-1, Run(2, index: 9)); // out of range: falls through

        jumps.Set(3, _harness.Object.GetProgram("Again"));
        // MAX_TAIL_CALL_CNT: 33 tail calls jump (the first from Body, 32 from Again to itself); the 34th falls
        // through, and that last run of Again wrote its depth as the result.
        Assert.Equal(33, Run(2, 3, 0, 0, out Args chain));
        Assert.Equal(33, chain.Depth);

        Assert.True(jumps.Clear(1));
        Assert.Equal(-1, Run(2, index: 1));
        Assert.False(jumps.TryGetProgramId(1, out _));
    }

    [Fact]
    public void Tail_calls_on_the_CLR_follow_the_same_chain()
    {
        var jumps = (ProgramArray)_harness.ClrField("Jumps");
        var args = new Args { Op = 2, Index = 1 };
        Assert.Equal(-1, _harness.RunOnClr(ref args));
        jumps.Set<TracepointContext>(1, _ => 4242);
        Assert.Equal(4242, ProgramArray.Run<TracepointContext>(ctx => { jumps.TailCall(ctx, 1); return -1; }, default));
        int depth = 0;
        jumps.Set<TracepointContext>(3, ctx => { depth++; jumps.TailCall(ctx, 3); return depth; });
        Assert.Equal(33, ProgramArray.Run<TracepointContext>(ctx => { jumps.TailCall(ctx, 3); return -1; }, default));
        Assert.Equal(33, depth);
    }
}

/// <summary>Kernel symbol lookup from /proc/kallsyms (root sees the addresses).</summary>
internal static class Kallsyms
{
    private static readonly Lazy<(ulong Address, string Name)[]> s_symbols = new(() =>
        File.ReadLines("/proc/kallsyms")
            .Select(l => l.Split(' ', 4))
            .Where(p => p.Length >= 3 && p[1] is "t" or "T")
            .Select(p => (Convert.ToUInt64(p[0], 16), p[2]))
            .Where(s => s.Item1 != 0)
            .OrderBy(s => s.Item1)
            .ToArray());

    public static string[] Resolve(IEnumerable<ulong> addresses)
    {
        var symbols = s_symbols.Value;
        if (symbols.Length == 0) throw new InvalidOperationException("/proc/kallsyms shows no addresses (kptr_restrict): run the tests as root");
        return addresses.Select(ip =>
        {
            int lo = 0, hi = symbols.Length - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (symbols[mid].Address <= ip) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            return found < 0 ? "?" : symbols[found].Name;
        }).ToArray();
    }
}

/// <summary>Which file of this process's mappings (/proc/self/maps) an address is in.</summary>
internal static class ProcessMaps
{
    public static string FileOf(ulong address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string[] range = parts[0].Split('-');
            if (Convert.ToUInt64(range[0], 16) <= address && address < Convert.ToUInt64(range[1], 16))
                return parts.Length > 5 ? parts[5].Trim() : "";
        }
        return "";
    }
}
