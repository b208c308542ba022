using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public struct ProcInfo
{
    public ulong StartNs;
    public uint Uid;
    public uint Execs;
}

/// <summary>Process lifetimes (from exec to exit of the thread-group leader) in decade buckets.</summary>
[BpfProgram(License = "GPL")]
public static partial class ProcLifetime
{
    [Map] static readonly HashMap<uint, ProcInfo> Procs = new(maxEntries: 10240);
    [Map] static readonly ArrayMap<ulong> Lifetimes = new(maxEntries: 6);

    static uint Bucket(ulong ns)
    {
        if (ns < 1_000_000) return 0;        // < 1 ms
        if (ns < 10_000_000) return 1;       // < 10 ms
        if (ns < 100_000_000) return 2;      // < 100 ms
        if (ns < 1_000_000_000) return 3;    // < 1 s
        if (ns < 10_000_000_000) return 4;   // < 10 s
        return 5;
    }

    [Tracepoint("sched", "sched_process_exec")]
    static int OnExec(TracepointContext ctx)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        uint uid = (uint)Bpf.GetCurrentUidGid();
        ref ProcInfo p = ref Procs.GetValueRefOrNullRef(pid);
        if (Unsafe.IsNullRef(ref p))
        {
            ProcInfo fresh = default;
            fresh.StartNs = Bpf.KtimeGetNs();
            fresh.Uid = uid;
            fresh.Execs = 1;
            Procs.Update(pid, fresh);
        }
        else
        {
            p.Execs++;
            p.Uid = uid;
        }
        return 0;
    }

    [Tracepoint("sched", "sched_process_exit")]
    static int OnExit(TracepointContext ctx)
    {
        ulong id = Bpf.GetCurrentPidTgid();
        uint pid = (uint)(id >> 32);
        if (pid != (uint)id) return 0; // a thread, not the whole process
        // 'out ProcInfo info' (an out variable declaration) is not supported yet: declare first.
        ProcInfo info;
        if (!Procs.TryGetValue(pid, out info)) return 0;
        Procs.Delete(pid);
        ulong lifetime = Bpf.KtimeGetNs() - info.StartNs;
        ref ulong n = ref Lifetimes.GetValueRefOrNullRef(Bucket(lifetime));
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
        return 0;
    }
}
