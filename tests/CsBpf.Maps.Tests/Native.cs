using System.Runtime.InteropServices;

namespace CsBpf.Maps.Tests;

/// <summary>The libc calls the map tests use to trigger and scope tracepoint programs and to pin CPUs.</summary>
internal static unsafe partial class Native
{
    /// <summary>The calling thread's id (the low half of <c>bpf_get_current_pid_tgid</c>).</summary>
    [LibraryImport("libc.so.6")]
    public static partial int gettid();

    /// <summary>A cheap system call whose tracepoint (<c>syscalls/sys_enter_getppid</c>) triggers harness programs.</summary>
    [LibraryImport("libc.so.6")]
    public static partial int getppid();

    [LibraryImport("libc.so.6")]
    public static partial int sched_getaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc.so.6")]
    public static partial int sched_setaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc.so.6")]
    public static partial int sched_getcpu();
}

/// <summary>
/// Pins the calling thread to one CPU until disposed (sched_setaffinity), so BPF programs it triggers or
/// test-runs use that CPU's slot of per-CPU maps.
/// </summary>
internal sealed unsafe class CpuPinning : IDisposable
{
    private const int MaskBytes = 128; // cpu_set_t: 1024 CPUs
    private readonly byte[] _previous = new byte[MaskBytes];

    /// <summary>Pins to <paramref name="cpu"/>, or to the CPU the thread runs on when null.</summary>
    public CpuPinning(int? cpu = null)
    {
        fixed (byte* previous = _previous)
            if (Native.sched_getaffinity(0, MaskBytes, previous) != 0) throw new InvalidOperationException("sched_getaffinity failed");
        Cpu = cpu ?? Native.sched_getcpu();
        var mask = new byte[MaskBytes];
        mask[Cpu / 8] = (byte)(1 << (Cpu % 8));
        fixed (byte* m = mask)
            if (Native.sched_setaffinity(0, MaskBytes, m) != 0) throw new InvalidOperationException($"sched_setaffinity to CPU {Cpu} failed");
        // The scheduler moves the thread at the next opportunity; make sure it happened.
        for (int i = 0; i < 100 && Native.sched_getcpu() != Cpu; i++) Thread.Yield();
        if (Native.sched_getcpu() != Cpu) throw new InvalidOperationException($"the thread did not move to CPU {Cpu}");
    }

    /// <summary>The CPU the thread is pinned to.</summary>
    public int Cpu { get; }

    public void Dispose()
    {
        fixed (byte* previous = _previous) Native.sched_setaffinity(0, MaskBytes, previous);
    }
}
