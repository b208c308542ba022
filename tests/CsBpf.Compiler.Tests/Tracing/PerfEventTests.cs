using System.Diagnostics;
using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// A perf event program on the software CPU clock, one event per CPU: a thread spinning on one CPU must be
/// sampled there, in user mode, with the exact period asked for; the counter is readable with
/// <c>bpf_perf_prog_read_value</c>; disposing the links stops the sampling.
/// </summary>
public class PerfEventTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class Sampler
        {
            public struct Sample { public ulong Count; public ulong Period; public long ReadResult; public ulong Counter; public ulong Enabled; public ulong User; public ulong Kernel; }

            [Map] static readonly ArrayMap<Sample> PerCpu = new(maxEntries: 1024);

            [PerfEvent]
            static int OnSample(PerfEventContext ctx)
            {
                ref Sample s = ref PerCpu.GetValueRefOrNullRef(Bpf.GetSmpProcessorId());
                if (Unsafe.IsNullRef(ref s)) return 0;
                s.Count++;
                s.Period = ctx.SamplePeriod;
                s.ReadResult = Bpf.PerfProgReadValue(ctx, out PerfEventValue value);
                s.Counter = value.Counter;
                s.Enabled = value.Enabled;
                if ((ctx.CodeSegment & 3) == 3) s.User++;
                else s.Kernel++;
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Sample
    {
        public ulong Count;
        public ulong Period;
        public long ReadResult;
        public ulong Counter;
        public ulong Enabled;
        public ulong User;
        public ulong Kernel;
    }

    [Fact]
    public void Cpu_clock_samples_a_spinning_thread_on_its_cpu_with_the_requested_period()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "perf_sampler");
        var program = obj.GetProgram("OnSample");
        Assert.Equal("perf_event", program.SectionName);
        const ulong period = 1_000_000; // 1 ms of CPU clock

        int cpu = Native.sched_getcpu();
        using var links = program.AttachPerfEvent(PerfEventConfig.CpuClockPeriod(period));
        int online = OnlineCpus();
        Assert.Equal(online, links.Links.Count);
        Assert.Contains(cpu, links.Cpus);
        Native.RunOnThread("csbpf-spin", _ => Spin(TimeSpan.FromMilliseconds(300)), cpu);

        var samples = obj.GetArrayMap<Sample>("PerCpu");
        Sample s = samples[(uint)cpu];
        Assert.True(s.Count >= 30, $"only {s.Count} samples on CPU {cpu} in 300 ms of spinning at one per ms");
        Assert.Equal(period, s.Period);
        Assert.Equal(0L, s.ReadResult);
        Assert.True(s.Counter > 0 && s.Enabled > 0, $"counter {s.Counter}, enabled {s.Enabled}");
        Assert.True(s.User > 0, "no sample interrupted the spinning thread in user mode");

        links.Dispose();
        Assert.True(links.IsDisposed);
        ulong before = samples[(uint)cpu].Count;
        Native.RunOnThread("csbpf-spin", _ => Spin(TimeSpan.FromMilliseconds(50)), cpu);
        Assert.Equal(before, samples[(uint)cpu].Count);
    }

    [Fact]
    public void Frequency_mode_on_one_cpu_samples_only_that_cpu()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "perf_frequency");
        int cpu = Native.sched_getcpu();
        using var links = obj.GetProgram("OnSample").AttachPerfEvent(PerfEventConfig.CpuClock(1000), cpu: cpu);
        Assert.Equal([cpu], links.Cpus);
        Native.RunOnThread("csbpf-spin", _ => Spin(TimeSpan.FromMilliseconds(300)), cpu);
        links.Dispose();

        var samples = obj.GetArrayMap<Sample>("PerCpu");
        Assert.True(samples[(uint)cpu].Count > 0);
        Assert.True(samples[(uint)cpu].Period > 0);
        for (uint other = 0; other < (uint)BpfMap.PossibleCpuCount; other++)
            if (other != cpu) Assert.Equal(0UL, samples[other].Count);
    }

    [Fact]
    public void A_non_perf_event_program_is_refused()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(UprobeLessSource, "perf_wrong_type");
        var e = Assert.Throws<BpfAttachException>(() => obj.GetProgram("Tp").AttachPerfEvent(PerfEventConfig.CpuClock(99)));
        Assert.Contains("[PerfEvent]", e.Message);
    }

    private const string UprobeLessSource = """
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class NotPerf
        {
            [Tracepoint("syscalls", "sys_enter_getpgid")]
            static int Tp(TracepointContext ctx) => 0;
        }
        """;

    private static void Spin(TimeSpan cpuTime)
    {
        var wall = Stopwatch.StartNew();
        ulong x = 1;
        // Until this thread has had the CPU time (or 5 s of wall time on a loaded machine).
        while (wall.Elapsed < TimeSpan.FromSeconds(5) && ThreadCpuTime() < cpuTime)
            for (int i = 0; i < 100_000; i++) x = x * 6364136223846793005UL + 1;
        GC.KeepAlive(x);
    }

    private static TimeSpan ThreadCpuTime()
    {
        long[] ts = new long[2];
        unsafe
        {
            fixed (long* p = ts) clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, p);
        }
        return TimeSpan.FromTicks(ts[0] * TimeSpan.TicksPerSecond + ts[1] / 100);
    }

    private static int OnlineCpus()
    {
        int count = 0;
        foreach (string range in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
        {
            string[] bounds = range.Split('-');
            count += bounds.Length == 1 ? 1 : int.Parse(bounds[1]) - int.Parse(bounds[0]) + 1;
        }
        return count;
    }

    [DllImport("libc")]
    private static extern unsafe int clock_gettime(int clock, long* ts);
}
