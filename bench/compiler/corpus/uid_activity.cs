using System.Runtime.CompilerServices;
using CsBpf;

namespace Bench;

public enum Activity { Open, Exec, Kill }

public struct UidStats
{
    public ulong Opens;
    public ulong Execs;
    public ulong Kills;
    public ulong LastNs;
    public uint LastPid;
    public bool Root;
}

/// <summary>Per-uid activity from three tracepoints sharing one accounting function (BPF-to-BPF calls,
/// a struct passed by ref, a switch statement, a bool field).</summary>
[BpfProgram(License = "GPL")]
public static partial class UidActivity
{
    [Map] static readonly HashMap<uint, UidStats> Stats = new(maxEntries: 1024);

    static void Bump(ref UidStats s, Activity kind)
    {
        switch (kind)
        {
            case Activity.Open: s.Opens++; break;
            case Activity.Exec: s.Execs++; break;
            default: s.Kills++; break;
        }
    }

    static void Account(Activity kind)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        uint uid = (uint)Bpf.GetCurrentUidGid();
        ref UidStats s = ref Stats.GetValueRefOrNullRef(uid);
        if (Unsafe.IsNullRef(ref s))
        {
            UidStats fresh = default;
            Bump(ref fresh, kind);
            fresh.LastNs = Bpf.KtimeGetNs();
            fresh.LastPid = pid;
            fresh.Root = uid == 0;
            Stats.Update(uid, fresh, MapUpdateFlags.NoExist);
            return;
        }
        Bump(ref s, kind);
        s.LastNs = Bpf.KtimeGetNs();
        s.LastPid = pid;
    }

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpen(TracepointContext ctx) { Account(Activity.Open); return 0; }

    [Tracepoint("syscalls", "sys_enter_execve")]
    static int OnExec(TracepointContext ctx) { Account(Activity.Exec); return 0; }

    [Tracepoint("syscalls", "sys_enter_kill")]
    static int OnKill(TracepointContext ctx) { Account(Activity.Kill); return 0; }
}
