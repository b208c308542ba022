using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace CsBpf.Guest.Tests.Programs;

/// <summary>
/// The context form of kprobes: the same probes as <see cref="OpenProbes"/> on <c>do_sys_openat2</c>, reading
/// the arguments and the return value from <see cref="PtRegs"/> (ctx.Arg0, ctx.Arg1, ctx.ReturnValue) and
/// the probed function's address with <c>bpf_get_func_ip(ctx)</c> at entry.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class OpenProbesContext
{
    /// <summary>Slot 0: the thread id to record; 0 records nothing.</summary>
    [Map] static readonly ArrayMap<ulong> Target = new(maxEntries: 1);

    [Map] static readonly ArrayMap<OpenEvent> Events = new(maxEntries: 1);

    /// <summary>Slot 0: bpf_get_func_ip at entry.</summary>
    [Map] static readonly ArrayMap<ulong> FunctionAddress = new(maxEntries: 1);

    [Kprobe("do_sys_openat2")]
    static int OnOpen(PtRegs ctx)
    {
        if (!IsTarget()) return 0;
        ref OpenEvent e = ref Events.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref e)) return 0;
        Interlocked.Increment(ref e.Entries);
        e.Dfd = (int)ctx.Arg0;
        e.Filename = ctx.Arg1;
        FunctionAddress.Update(0, Bpf.GetFuncIp(ctx));
        return 0;
    }

    [Kretprobe("do_sys_openat2")]
    static int OnOpenReturn(PtRegs ctx)
    {
        if (!IsTarget()) return 0;
        ref OpenEvent e = ref Events.GetValueRefOrNullRef(0);
        if (Unsafe.IsNullRef(ref e)) return 0;
        Interlocked.Increment(ref e.Returns);
        e.Ret = (long)ctx.ReturnValue;
        return 0;
    }

    static bool IsTarget()
    {
        ref ulong tid = ref Target.GetValueRefOrNullRef(0);
        return !Unsafe.IsNullRef(ref tid) && tid != 0 && tid == (uint)Bpf.GetCurrentPidTgid();
    }
}
