using System.Runtime.InteropServices;

namespace CsBpf;

// Clocks: the kernel's monotonic, boot, coarse and TAI clocks and jiffies.
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_ktime_get_boot_ns</c> (helper 125, Linux 5.8): nanoseconds since boot, including time spent
    /// suspended (<c>CLOCK_BOOTTIME</c>).
    /// </summary>
    [BpfHelper(125)]
    public static ulong KtimeGetBootNs() => ClockNs(ClockBoottime);

    /// <summary>
    /// <c>bpf_ktime_get_coarse_ns</c> (helper 160, Linux 5.11): <c>CLOCK_MONOTONIC_COARSE</c>, cheaper than
    /// <see cref="KtimeGetNs"/> but only as fine as the scheduler tick. The kernel offers it to networking and
    /// cgroup programs only, not to tracing programs.
    /// </summary>
    [BpfHelper(160, Programs = BpfProgramTypes.AllSkb | BpfProgramTypes.Xdp | BpfProgramTypes.CgroupSock | BpfProgramTypes.CgroupSockAddr
        | BpfProgramTypes.SockOps | BpfProgramTypes.SkMsg | BpfProgramTypes.CgroupSysctl | BpfProgramTypes.SkLookup)]
    public static ulong KtimeGetCoarseNs() => ClockNs(ClockMonotonicCoarse);

    /// <summary><c>bpf_ktime_get_tai_ns</c> (helper 208, Linux 6.1): International Atomic Time (<c>CLOCK_TAI</c>) in nanoseconds.</summary>
    [BpfHelper(208)]
    public static ulong KtimeGetTaiNs() => ClockNs(ClockTai);

    /// <summary>
    /// <c>bpf_jiffies64</c> (helper 118, Linux 5.5): the kernel's 64-bit tick counter (<c>jiffies_64</c>,
    /// <c>CONFIG_HZ</c> ticks a second). On the CLR it is read from <c>/proc/timer_list</c> (root only).
    /// </summary>
    [BpfHelper(118)]
    public static ulong Jiffies64()
    {
        foreach (string line in File.ReadLines("/proc/timer_list"))
            if (line.StartsWith("jiffies: ", StringComparison.Ordinal))
                return ulong.Parse(line.AsSpan(9), System.Globalization.CultureInfo.InvariantCulture);
        throw new InvalidOperationException("/proc/timer_list has no 'jiffies:' line");
    }

    private const int ClockMonotonic = 1, ClockMonotonicCoarse = 6, ClockBoottime = 7, ClockTai = 11;

    private static unsafe ulong ClockNs(int clock)
    {
        long* ts = stackalloc long[2];
        if (clock_gettime(clock, ts) != 0) throw new InvalidOperationException($"clock_gettime({clock}) failed: errno {Marshal.GetLastPInvokeError()}");
        return (ulong)(ts[0] * 1_000_000_000L + ts[1]);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int clock_gettime(int clock, long* timespec);
}
