using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace CsBpf.Guest.Tests.Programs;

/// <summary>
/// fentry + fexit on <c>do_sys_openat2</c>: typed arguments from the tracing context's u64 slots, fexit
/// getting the arguments and then the return value. C version: Fixtures/fentry_open.bpf.c.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class OpenTracing
{
    /// <summary>Slot 0: the thread id (pid_tgid's low half) to record; 0 records nothing.</summary>
    [Map] static readonly ArrayMap<ulong> Target = new(maxEntries: 1);

    [Map] static readonly ArrayMap<OpenEvent> Events = new(maxEntries: 1);

    [Fentry("do_sys_openat2")]
    static int OnEntry(int dfd, nuint filename)
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

    [Fexit("do_sys_openat2")]
    static int OnExit(int dfd, nuint filename, nuint how, long ret)
    {
        ref ulong tid = ref Target.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref tid) || tid == 0 || tid != (uint)Bpf.GetCurrentPidTgid())
            return 0;
        ref OpenEvent e = ref Events.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref e))
            return 0;
        Interlocked.Increment(ref e.Returns);
        e.Ret = ret;
        e.ExitDfd = dfd;
        e.ExitFilename = filename;
        return 0;
    }
}
