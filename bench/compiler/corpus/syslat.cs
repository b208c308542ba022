using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>Per-process read() latency (count, total, max) from ktime across sys_enter/sys_exit.</summary>
public struct LatStats
{
    public ulong Count;
    public ulong TotalNs;
    public ulong MaxNs;
}

[BpfProgram(License = "GPL")]
public static partial class SysLat
{
    [Map] static readonly HashMap<ulong, ulong> Start = new(maxEntries: 10240);
    [Map] static readonly HashMap<uint, LatStats> Stats = new(maxEntries: 10240);

    [Tracepoint("syscalls", "sys_enter_read")]
    static int OnEnter(TracepointContext ctx)
    {
        ulong id = Bpf.GetCurrentPidTgid();
        ulong now = Bpf.KtimeGetNs();
        Start.Update(id, now);
        return 0;
    }

    [Tracepoint("syscalls", "sys_exit_read")]
    static int OnExit(TracepointContext ctx)
    {
        ulong id = Bpf.GetCurrentPidTgid();
        ref ulong start = ref Start.GetValueRefOrNullRef(id);
        if (Unsafe.IsNullRef(ref start)) return 0;
        ulong delta = Bpf.KtimeGetNs() - start;
        Start.Delete(id);

        uint pid = (uint)(id >> 32);
        ref LatStats s = ref Stats.GetValueRefOrNullRef(pid);
        if (Unsafe.IsNullRef(ref s))
        {
            LatStats fresh = default;
            fresh.Count = 1;
            fresh.TotalNs = delta;
            fresh.MaxNs = delta;
            Stats.Update(pid, fresh, MapUpdateFlags.NoExist);
            return 0;
        }
        Interlocked.Increment(ref s.Count);
        Interlocked.Add(ref s.TotalNs, delta);
        if (delta > s.MaxNs) s.MaxNs = delta;
        return 0;
    }
}
