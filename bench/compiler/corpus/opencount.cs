using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>openat() calls per process (the README example): a hash map keyed by tgid.</summary>
[BpfProgram(License = "GPL")]
public static partial class OpenCount
{
    [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 10240);

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(TracepointContext ctx)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref ulong n = ref Counts.GetValueRefOrNullRef(pid);
        if (Unsafe.IsNullRef(ref n)) Counts.Update(pid, 1);
        else Interlocked.Increment(ref n);
        return 0;
    }
}
