using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public struct ExecInfo
{
    public ulong Count;
    public uint LastPid;
    public uint LastUid;
    public ulong FirstNs;
}

/// <summary>exec() counts by command name (execsnoop aggregated): the map key is the 16-byte comm.</summary>
[BpfProgram(License = "GPL")]
public static partial class ExecByComm
{
    [Map] static readonly HashMap<TaskComm, ExecInfo> Execs = new(maxEntries: 4096);

    [Tracepoint("sched", "sched_process_exec")]
    static int OnExec(TracepointContext ctx)
    {
        // 'out TaskComm comm' (an out variable declaration) is not supported yet: declare first.
        TaskComm comm;
        Bpf.GetCurrentComm(out comm);
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        uint uid = (uint)Bpf.GetCurrentUidGid();
        ref ExecInfo e = ref Execs.GetValueRefOrNullRef(comm);
        if (Unsafe.IsNullRef(ref e))
        {
            ExecInfo fresh = default;
            fresh.Count = 1;
            fresh.LastPid = pid;
            fresh.LastUid = uid;
            fresh.FirstNs = Bpf.KtimeGetNs();
            Execs.Update(comm, fresh, MapUpdateFlags.NoExist);
            return 0;
        }
        Interlocked.Increment(ref e.Count);
        e.LastPid = pid;
        e.LastUid = uid;
        return 0;
    }
}
