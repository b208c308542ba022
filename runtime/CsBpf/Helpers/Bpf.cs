namespace CsBpf;

/// <summary>
/// Kernel BPF helpers callable from BPF code. Each stub is bound to its helper number by
/// <see cref="BpfHelperAttribute"/>; the bodies are what the calls do when the code runs on the CLR.
/// </summary>
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_get_current_pid_tgid</c> (helper 14, Linux 4.2): the current task's thread-group id (the user-space
    /// "pid") in the upper 32 bits and its thread id in the lower 32 bits.
    /// </summary>
    [BpfHelper(14)]
    public static ulong GetCurrentPidTgid() => ((ulong)(uint)Environment.ProcessId << 32) | (uint)gettid();

    /// <summary><c>bpf_ktime_get_ns</c> (helper 5, Linux 4.1): monotonic time in nanoseconds, not counting suspend.</summary>
    [BpfHelper(5)]
    public static ulong KtimeGetNs() => (ulong)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000_000.0 / System.Diagnostics.Stopwatch.Frequency));

    /// <summary><c>bpf_get_smp_processor_id</c> (helper 8, Linux 4.1): the CPU the program runs on.</summary>
    [BpfHelper(8)]
    public static uint GetSmpProcessorId() => (uint)Thread.GetCurrentProcessorId();

    /// <summary>
    /// <c>bpf_get_current_uid_gid</c> (helper 15, Linux 4.2): the current task's gid in the upper 32 bits and uid in
    /// the lower 32 bits.
    /// </summary>
    [BpfHelper(15)]
    public static ulong GetCurrentUidGid() => ((ulong)getgid() << 32) | getuid();

    /// <summary>
    /// <c>bpf_get_current_comm</c> (helper 16, Linux 4.2): copies the current task's command name into
    /// <paramref name="comm"/>. Returns 0 or a negative errno.
    /// </summary>
    [BpfHelper(16, AppendSizeOfRefArguments = true)]
    public static long GetCurrentComm(out TaskComm comm)
    {
        comm = default;
        // The calling thread's name, as the kernel's current->comm.
        byte[] name = File.Exists("/proc/thread-self/comm") ? System.Text.Encoding.UTF8.GetBytes(File.ReadAllText("/proc/thread-self/comm").TrimEnd('\n')) : [];
        name.AsSpan(0, Math.Min(name.Length, TaskComm.Length - 1)).CopyTo(comm);
        return 0;
    }

    /// <summary>
    /// <c>bpf_trace_printk</c> (helper 6, Linux 4.1): writes a line to the kernel's trace buffer
    /// (<c>/sys/kernel/tracing/trace_pipe</c>). Pass an interpolated string with at most three values,
    /// e.g. <c>Bpf.Printk($"pid {pid} opened {n:x}")</c>: the compiler turns it into a printf format at compile
    /// time (integers as %d/%u/%lld/%llu, <c>:x</c> as hex). GPL-only. For debugging, not for data transfer.
    /// </summary>
    [BpfHelper(6, FormatString = true, GplOnly = true)]
    public static long Printk(string message)
    {
        System.Diagnostics.Trace.WriteLine(message);
        return message.Length;
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint getuid();

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint getgid();
}
