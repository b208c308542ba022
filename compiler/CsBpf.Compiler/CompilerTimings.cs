using System.Diagnostics;

namespace CsBpf.Compiler;

/// <summary>
/// Wall-clock checkpoints of a compile, for finding where csbpfc's time goes (start-up, JIT, Roslyn binding,
/// the rule set, lowering, LLVM). Off unless the environment variable <c>CSBPF_TIMINGS=1</c> is set; then
/// every <see cref="Mark"/> prints one line to standard error:
/// <c>csbpfc: timing: &lt;phase&gt; +&lt;wall ms since the previous mark&gt; ms (&lt;wall ms since process
/// start&gt; ms, cpu &lt;process CPU ms, all threads&gt; ms)</c>. The first mark's "+" is the time from process
/// start (the host's and the runtime's start-up). CPU time is the steadier number on a loaded machine.
/// </summary>
public static class CompilerTimings
{
    /// <summary>The environment variable that turns the checkpoints on.</summary>
    public const string Variable = "CSBPF_TIMINGS";

    private static readonly object s_gate = new();
    private static DateTime s_processStart;
    private static long s_last;

    /// <summary>True when <c>CSBPF_TIMINGS=1</c>.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Records that <paramref name="phase"/> has just finished (no effect unless <see cref="Enabled"/>).</summary>
    public static void Mark(string phase)
    {
        if (!Enabled) return;
        lock (s_gate)
        {
            long now = Stopwatch.GetTimestamp();
            if (s_last == 0)
            {
                // Process start comes from /proc (the kernel's clock): it includes the host's and the runtime's start-up.
                using var self = Process.GetCurrentProcess();
                s_processStart = self.StartTime;
            }
            double sinceStart = (DateTime.Now - s_processStart).TotalMilliseconds;
            double sincePrevious = s_last == 0 ? sinceStart : Stopwatch.GetElapsedTime(s_last, now).TotalMilliseconds;
            s_last = now;
            double cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
            Console.Error.WriteLine($"csbpfc: timing: {phase} +{sincePrevious:F1} ms ({sinceStart:F1} ms, cpu {cpu:F0} ms)");
        }
    }
}
