using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace CsBpf.Guest.Tests.Programs;

/// <summary>
/// BPF LSM on <c>file_open</c>: while <c>Target</c> names a thread, that thread's opens are denied with
/// EPERM; everyone else's are allowed. (Matching a file would need reading <c>struct file</c>, which the
/// compiler cannot do yet.) C version: Fixtures/lsm_deny.bpf.c.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class DenyOpen
{
    /// <summary>Slot 0: the thread id (pid_tgid's low half) to deny; 0 denies nothing.</summary>
    [Map] static readonly ArrayMap<ulong> Target = new(maxEntries: 1);

    [Map] static readonly ArrayMap<LsmStats> Stats = new(maxEntries: 1);

    [Lsm("file_open")]
    static int OnFileOpen(nuint file)
    {
        ref LsmStats s = ref Stats.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref s))
            return 0;
        ref ulong tid = ref Target.GetValueRefOrNullRef(0);
        if (!Unsafe.IsNullRef(ref tid) && tid != 0 && tid == (uint)Bpf.GetCurrentPidTgid())
        {
            Interlocked.Increment(ref s.Denied);
            return -1; // -EPERM
        }
        Interlocked.Increment(ref s.Allowed);
        return 0;
    }
}
