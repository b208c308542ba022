using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>Per-process log2 histograms of write() latency in microseconds (bcc-style hist key).</summary>
public struct HistKey
{
    public uint Pid;
    public uint Slot;
}

[BpfProgram(License = "GPL")]
public static partial class LatHist
{
    [Map] static readonly HashMap<ulong, ulong> Start = new(maxEntries: 10240);
    [Map] static readonly HashMap<HistKey, ulong> Hist = new(maxEntries: 16384);

    /// <summary>floor(log2(v)) (0 for 0 and 1) by a bounded loop.</summary>
    static uint Log2(ulong v)
    {
        uint r = 0;
        for (int i = 0; i < 64; i++)
        {
            v >>= 1;
            if (v == 0) break;
            r++;
        }
        return r;
    }

    [Tracepoint("syscalls", "sys_enter_write")]
    static int OnEnter(TracepointContext ctx)
    {
        ulong id = Bpf.GetCurrentPidTgid();
        ulong now = Bpf.KtimeGetNs();
        Start.Update(id, now);
        return 0;
    }

    [Tracepoint("syscalls", "sys_exit_write")]
    static int OnExit(TracepointContext ctx)
    {
        ulong id = Bpf.GetCurrentPidTgid();
        ref ulong start = ref Start.GetValueRefOrNullRef(id);
        if (Unsafe.IsNullRef(ref start)) return 0;
        ulong deltaUs = (Bpf.KtimeGetNs() - start) / 1000;
        Start.Delete(id);

        HistKey key = default;
        key.Pid = (uint)(id >> 32);
        key.Slot = Log2(deltaUs);
        ref ulong n = ref Hist.GetValueRefOrNullRef(key);
        if (Unsafe.IsNullRef(ref n)) Hist.Update(key, 1, MapUpdateFlags.NoExist);
        else Interlocked.Increment(ref n);
        return 0;
    }
}
