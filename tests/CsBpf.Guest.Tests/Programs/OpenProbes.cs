using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace CsBpf.Guest.Tests.Programs;

/// <summary>
/// kprobe + kretprobe on <c>do_sys_openat2(int dfd, const char __user *filename, struct open_how *how)</c>:
/// the entry records dfd and the filename pointer (rdi, rsi), the return probe the result (rax), for the
/// one thread named in <c>Target</c>. C version: Fixtures/kprobe_open.bpf.c.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class OpenProbes
{
    /// <summary>Slot 0: the thread id (pid_tgid's low half) to record; 0 records nothing.</summary>
    [Map] static readonly ArrayMap<ulong> Target = new(maxEntries: 1);

    [Map] static readonly ArrayMap<OpenEvent> Events = new(maxEntries: 1);

    [Kprobe("do_sys_openat2")]
    static int OnOpen(int dfd, nuint filename)
    {
        ref ulong tid = ref Target.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref tid) || tid == 0 || tid != (uint)Bpf.GetCurrentPidTgid())
            return 0;
        ref OpenEvent e = ref Events.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref e))
            return 0;
        Interlocked.Increment(ref e.Entries);
        e.Dfd = dfd;
        e.Filename = filename;
        return 0;
    }

    [Kretprobe("do_sys_openat2")]
    static int OnOpenReturn(long ret)
    {
        ref ulong tid = ref Target.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref tid) || tid == 0 || tid != (uint)Bpf.GetCurrentPidTgid())
            return 0;
        ref OpenEvent e = ref Events.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref e))
            return 0;
        Interlocked.Increment(ref e.Returns);
        e.Ret = ret;
        return 0;
    }
}
