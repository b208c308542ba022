using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Samples.OpenCount;

/// <summary>Per-process openat counts, keyed by tgid, with the process's command name.</summary>
public struct OpenStats
{
    /// <summary>openat calls seen.</summary>
    public ulong Count;

    /// <summary>The command name of the thread that first opened a file.</summary>
    public TaskComm Comm;
}

/// <summary>
/// Counts <c>openat</c> system calls per process (the classic opensnoop/syscount idea, aggregated in the
/// kernel). Compiled to BPF by the build; runs as ordinary C# on the CLR too.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class OpenCounter
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
