using System.Diagnostics;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CsBpf.TestSupport;
using Samples.RunQLat;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The RunQLat sample (runqlat), built by dotnet build and run as its own process against the live kernel: the
/// test makes tasks wait in the run queue (a CPU-bound child among more spinners than CPUs, a thread that sleeps
/// and wakes up) and finds them in the tool's histograms, counted no more often than the kernel switched them in.
/// </summary>
public partial class RunQLatSampleTests
{
    private static string SampleDll => typeof(RunQueueLatency).Assembly.Location;

    [Fact]
    public void Per_process_histogram_of_a_preempted_child_with_the_pid_filter()
    {
        KernelEnvironment.Require();
        // A CPU-bound shell loop, preempted again and again by more spinners than there are CPUs.
        using var child = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!;
        using var spinning = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            while (!spinning.IsCancellationRequested) Thread.SpinWait(1000);
        }) { IsBackground = true }).ToList();
        spinners.ForEach(t => t.Start());
        try
        {
            long switchesBefore = ContextSwitches($"/proc/{child.Id}/status");
            using var sample = SampleProcess.Start(SampleDll, "-P", "-p", child.Id.ToString(), "2", "1");
            Assert.Equal(0, sample.WaitForExit());
            long switches = ContextSwitches($"/proc/{child.Id}/status") - switchesBefore;

            var histograms = Parse(sample.Lines, "usecs");
            var (header, slots) = Assert.Single(histograms); // the filter: no other process
            Assert.Equal($"pid = {child.Id} sh", header);
            ulong total = slots.Aggregate(0UL, (a, s) => a + s.Count);
            // Every wait ends with a switch-in, and a task is switched in at most once more than it was switched out.
            Assert.True(total >= 1 && total <= (ulong)switches + 1, $"{total} waits for {switches} context switches\n{sample.Output}");
        }
        finally
        {
            spinning.Cancel();
            spinners.ForEach(t => t.Join());
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void Per_thread_histogram_shows_a_sleeping_thread_by_name_until_ctrl_c()
    {
        KernelEnvironment.Require();
        string name = "rq-" + Guid.NewGuid().ToString("N")[..8]; // the thread's comm (at most 15 characters)
        int tid = 0;
        long sleeps = 0;
        using var running = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var sleeper = new Thread(() =>
        {
            tid = gettid();
            started.Set();
            while (!running.IsCancellationRequested)
            {
                Thread.Sleep(1); // each wakeup puts the thread in a run queue
                sleeps++;
            }
        }) { Name = name, IsBackground = true };
        sleeper.Start();
        started.Wait();
        try
        {
            long switchesBefore = ContextSwitches($"/proc/self/task/{tid}/status");
            using var sample = SampleProcess.Start(SampleDll, "-L", "-m", "-p", Environment.ProcessId.ToString());
            sample.WaitForLine(l => l.StartsWith("Tracing run queue latency", StringComparison.Ordinal));
            Thread.Sleep(2000);
            long sleepsBefore = sleeps;
            Assert.Equal(0, sample.Interrupt()); // Ctrl-C prints the histograms and exits
            long switches = ContextSwitches($"/proc/self/task/{tid}/status") - switchesBefore;

            var histograms = Parse(sample.Lines, "msecs");
            var (_, slots) = Assert.Single(histograms, h => h.Header == $"tid = {tid} {name}");
            ulong total = slots.Aggregate(0UL, (a, s) => a + s.Count);
            Assert.True(sleepsBefore >= 20, $"the sleeper woke up only {sleepsBefore} times");
            Assert.True(total >= 10 && total <= (ulong)switches + 1, $"{total} waits for {switches} context switches\n{sample.Output}");
            Assert.All(histograms, h => Assert.StartsWith("tid = ", h.Header));
        }
        finally
        {
            running.Cancel();
            sleeper.Join();
        }
    }

    [Fact]
    public void Log2_matches_the_CLR_and_the_histogram_prints_like_bcc()
    {
        Assert.Equal(0u, RunQueueLatency.Log2(0UL));
        var random = new Random(1234);
        for (int i = 0; i < 100_000; i++)
        {
            ulong v = (ulong)random.NextInt64() >> random.Next(64) | 1;
            Assert.Equal((uint)BitOperations.Log2(v), RunQueueLatency.Log2(v));
        }
        for (int bit = 0; bit < 64; bit++)
        {
            Assert.Equal((uint)bit, RunQueueLatency.Log2(1UL << bit));
            Assert.Equal((uint)bit, RunQueueLatency.Log2((2UL << bit) - 1));
        }

        Assert.Equal("""
                 usecs               : count    distribution
                     0 -> 1          : 1        |**********                              |
                     2 -> 3          : 0        |                                        |
                     4 -> 7          : 4        |****************************************|

            """.Replace("\r", ""), Log2Histogram.Format([1, 0, 4, 0, 0], "usecs"));
        Assert.Equal("", Log2Histogram.Format(new ulong[26], "usecs"));
    }

    [Fact]
    public void The_scheduler_programs_run_on_the_CLR()
    {
        var flags = BindingFlags.NonPublic | BindingFlags.Static;
        var histograms = (CsBpf.HashMap<HistogramKey, ulong>)typeof(RunQueueLatency).GetField("Histograms", flags)!.GetValue(null)!;
        var enqueued = (CsBpf.HashMap<uint, ulong>)typeof(RunQueueLatency).GetField("Enqueued", flags)!.GetValue(null)!;
        var wakeup = typeof(RunQueueLatency).GetMethod("OnWakeup", flags)!;
        var sw = typeof(RunQueueLatency).GetMethod("OnSwitch", flags)!;

        // Thread 4242 is woken, then switched in after the sleeping thread 7 is switched out: one wait counted.
        Assert.Equal(0, wakeup.Invoke(null, [new SchedWakeup { Pid = 4242 }]));
        Assert.True(enqueued.TryGetValue(4242, out _));
        Assert.Equal(0, sw.Invoke(null, [new SchedSwitch { PrevPid = 7, PrevState = 1 /* S */, NextPid = 4242 }]));
        Assert.False(enqueued.TryGetValue(4242, out _));
        Assert.False(enqueued.TryGetValue(7, out _)); // a sleeping task does not wait for a CPU

        // A preempted task ("R+", TASK_REPORT_MAX) waits again; so does one that yielded ("R", 0).
        Assert.Equal(0, sw.Invoke(null, [new SchedSwitch { PrevPid = 4242, PrevState = 0x100, NextPid = 0 }]));
        Assert.True(enqueued.TryGetValue(4242, out _));
        Assert.Equal(0, sw.Invoke(null, [new SchedSwitch { PrevPid = 8, PrevState = 0, NextPid = 4242 }]));
        Assert.True(enqueued.TryGetValue(8, out _));

        ulong total = 0;
        for (uint slot = 0; slot < RunQueueLatency.MaxSlots; slot++)
            if (histograms.TryGetValue(new HistogramKey { Id = 0, Slot = slot }, out ulong count)) total += count;
        Assert.Equal(2UL, total);
    }

    /// <summary>The histograms in the tool's output: each header line ("pid = …", or "" for the global one) with its rows.</summary>
    private static List<(string Header, List<(ulong Low, ulong High, ulong Count)> Slots)> Parse(IReadOnlyList<string> lines, string unit)
    {
        var result = new List<(string, List<(ulong, ulong, ulong)>)>();
        string header = "";
        List<(ulong, ulong, ulong)>? slots = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("pid = ", StringComparison.Ordinal) || line.StartsWith("tid = ", StringComparison.Ordinal)) header = line;
            else if (line.Trim().StartsWith(unit + " ", StringComparison.Ordinal))
            {
                Assert.Equal($"     {unit,-19} : count    distribution", line);
                result.Add((header, slots = []));
            }
            else if (Row().Match(line) is { Success: true } m)
            {
                Assert.NotNull(slots);
                ulong low = ulong.Parse(m.Groups[1].Value), high = ulong.Parse(m.Groups[2].Value);
                int slot = slots.Count;
                Assert.Equal(slot == 0 ? 0UL : 1UL << slot, low);   // consecutive log2 slots
                Assert.Equal((2UL << slot) - 1, high);
                slots.Add((low, high, ulong.Parse(m.Groups[3].Value)));
            }
        }
        return result;
    }

    private static long ContextSwitches(string statusPath) =>
        File.ReadLines(statusPath).Where(l => l.Contains("ctxt_switches:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.IndexOf(':') + 1)..].Trim()));

    [GeneratedRegex(@"^\s+(\d+) -> (\d+)\s+: (\d+)\s+\|[* ]{40}\|$")]
    private static partial Regex Row();

    [LibraryImport("libc")]
    private static partial int gettid();
}
