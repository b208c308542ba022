using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>Per-process openat counts with the command name (opensnoop aggregated in the kernel).</summary>
public struct OpenStats
{
    public ulong Count;
    public TaskComm Comm;
}

[BpfProgram(License = "GPL")]
public static partial class OpenSnoopComm
{
    [Map] static readonly HashMap<uint, OpenStats> Opens = new(maxEntries: 10240);

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(TracepointContext ctx)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref OpenStats stats = ref Opens.GetValueRefOrNullRef(pid);
        if (Unsafe.IsNullRef(ref stats))
        {
            OpenStats fresh = default;
            fresh.Count = 1;
            Bpf.GetCurrentComm(out fresh.Comm);
            Opens.Update(pid, fresh, MapUpdateFlags.NoExist);
        }
        else
        {
            Interlocked.Increment(ref stats.Count);
        }
        return 0;
    }
}
