using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Tests;

/// <summary>
/// Pins the calling thread to the CPU it runs on until disposed (sched_setaffinity), so consecutive
/// BPF_PROG_TEST_RUN calls run their programs on the same CPU — and per-CPU outputs land in the same buffer.
/// </summary>
internal sealed unsafe partial class CpuPinning : IDisposable
{
    private const int MaskBytes = 128; // cpu_set_t: 1024 CPUs
    private readonly byte[] _previous = new byte[MaskBytes];

    public CpuPinning()
    {
        fixed (byte* previous = _previous)
            if (sched_getaffinity(0, MaskBytes, previous) != 0) throw new InvalidOperationException("sched_getaffinity failed");
        Cpu = sched_getcpu();
        var mask = new byte[MaskBytes];
        mask[Cpu / 8] = (byte)(1 << (Cpu % 8));
        fixed (byte* m = mask)
            if (sched_setaffinity(0, MaskBytes, m) != 0) throw new InvalidOperationException("sched_setaffinity failed");
    }

    /// <summary>The CPU the thread is pinned to.</summary>
    public int Cpu { get; }

    public void Dispose()
    {
        fixed (byte* previous = _previous) sched_setaffinity(0, MaskBytes, previous);
    }

    [LibraryImport("libc.so.6")]
    private static partial int sched_getaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc.so.6")]
    private static partial int sched_setaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc.so.6")]
    private static partial int sched_getcpu();
}
