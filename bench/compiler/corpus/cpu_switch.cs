using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public struct SliceTiming
{
    public ulong LastNs;
    public ulong TotalNs;
    public ulong MaxSliceNs;
}

public struct CpuState
{
    public SliceTiming Time;
    public ulong Switches;
    public uint LastPid;
    public uint Reserved;
}

/// <summary>Per-CPU context-switch statistics on sched_switch (nested struct value) and a global log2
/// histogram of time slices in microseconds (bounded while loop).</summary>
[BpfProgram(License = "GPL")]
public static partial class CpuSwitch
{
    [Map] static readonly ArrayMap<CpuState> Cpus = new(maxEntries: 128);
    [Map] static readonly ArrayMap<ulong> Slices = new(maxEntries: 32);

    static uint Slot(ulong ns)
    {
        ulong us = ns / 1000;
        uint slot = 0;
        while (us > 1 && slot < 31)
        {
            us >>= 1;
            slot++;
        }
        return slot;
    }

    [Tracepoint("sched", "sched_switch")]
    static int OnSwitch(TracepointContext ctx)
    {
        ref CpuState st = ref Cpus.GetValueRefOrNullRef(Bpf.GetSmpProcessorId());
        if (Unsafe.IsNullRef(ref st)) return 0;
        ulong now = Bpf.KtimeGetNs();
        if (st.Time.LastNs != 0)
        {
            ulong slice = now - st.Time.LastNs;
            st.Time.TotalNs += slice;
            if (slice > st.Time.MaxSliceNs) st.Time.MaxSliceNs = slice;
            ref ulong n = ref Slices.GetValueRefOrNullRef(Slot(slice));
            if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
        }
        st.Time.LastNs = now;
        st.Switches++;
        st.LastPid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        return 0;
    }
}
