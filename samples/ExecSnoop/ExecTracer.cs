using System.Runtime.CompilerServices;
using CsBpf;

namespace Samples.ExecSnoop;

/// <summary>
/// execsnoop (BCC, libbpf-tools) in C#: every <c>execve()</c> system-wide with its pid, parent pid, arguments
/// and return value. Arguments are read at syscall entry, where <c>argv</c> is still the caller's memory; the
/// return value and the new command name at syscall exit. Compiled to BPF by the build; also plain C#.
/// </summary>
[BpfProgram(License = "GPL")] // bpf_probe_read_user_str and bpf_get_current_task are GPL-only helpers
public static partial class ExecTracer
{
    /// <summary>No uid filter.</summary>
    public const uint AnyUid = uint.MaxValue;

    /// <summary>The most arguments any run reads (libbpf-tools' <c>TOTAL_MAX_ARGS</c>): bounds the loop for the verifier.</summary>
    public const int ArgumentLimit = 60;

    // Set by the host before Load(); the verifier sees their values as constants.
    static readonly uint TargetUid = AnyUid;     // -u: only this user's execs
    static readonly int MaxArgs = 20;            // --max-args: filename + argv[1..MaxArgs-1]
    static readonly ulong TaskRealParent;        // offsetof(struct task_struct, real_parent), from the kernel's BTF
    static readonly ulong TaskTgid;              // offsetof(struct task_struct, tgid)

    /// <summary>Arguments and returns, in the order the kernel produced them (one ring for all CPUs).</summary>
    [Map] static readonly RingBuffer Events = new(sizeBytes: 1 << 20);

    [Tracepoint("syscalls", "sys_enter_execve")]
    static int OnExecveEnter(ref readonly SysEnterExecve record)
    {
        if (!UidMatches()) return 0;
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);

        // The filename stands for argv[0] (which a program may set to anything).
        if (!SubmitArgument(pid, ExecEventKind.Argument, record.Filename)) return 0;

        ulong argv = record.Argv;
        for (int i = 1; i < ArgumentLimit && i < MaxArgs; i++)
        {
            Bpf.ProbeReadUser(out ulong argument, argv + (ulong)i * sizeof(ulong)); // argv[i]; zero if unreadable
            if (argument == 0) return 0;                                           // the NULL that ends argv
            if (!SubmitArgument(pid, ExecEventKind.Argument, argument)) return 0;
        }

        // argv[MaxArgs] is not the terminating NULL: there were more arguments than we read.
        Bpf.ProbeReadUser(out ulong next, argv + (ulong)MaxArgs * sizeof(ulong));
        if (next != 0) SubmitArgument(pid, ExecEventKind.Truncated, 0);
        return 0;
    }

    [Tracepoint("syscalls", "sys_exit_execve")]
    static int OnExecveExit(ref readonly SysExitExecve record)
    {
        if (!UidMatches()) return 0;
        ref ExecEvent e = ref Events.Reserve<ExecEvent>();
        if (Unsafe.IsNullRef(ref e)) return 0; // the ring is full: the host shows the exec without its return
        e.Kind = ExecEventKind.Return;
        e.Pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        e.Ppid = ParentPid();
        e.Uid = (uint)Bpf.GetCurrentUidGid();
        e.ReturnValue = (int)record.Ret;
        Bpf.GetCurrentComm(out e.Comm); // after a successful exec: the new program's name
        Events.Submit(ref e);
        return 0;
    }

    /// <summary>Sends one argument string (read from user memory at <paramref name="address"/>) or a truncation mark.</summary>
    static bool SubmitArgument(uint pid, ExecEventKind kind, ulong address)
    {
        ref ExecEvent e = ref Events.Reserve<ExecEvent>();
        if (Unsafe.IsNullRef(ref e)) return false;
        e.Kind = kind;
        e.Pid = pid;
        e.Ppid = 0;
        e.Uid = 0;
        e.ReturnValue = 0;
        Bpf.GetCurrentComm(out e.Comm);
        if (kind == ExecEventKind.Argument && Bpf.ProbeReadUserStr(out e.Argument, address) < 0)
        {
            Events.Discard(ref e); // the string was not readable (paged out, bad pointer): stop this exec's arguments
            return false;
        }
        Events.Submit(ref e);
        return true;
    }

    /// <summary><c>current-&gt;real_parent-&gt;tgid</c>, following the pointers with the offsets the host found in BTF.</summary>
    static uint ParentPid()
    {
        ulong task = Bpf.GetCurrentTask();
        Bpf.ProbeReadKernel(out ulong parent, task + TaskRealParent);
        Bpf.ProbeReadKernel(out uint ppid, parent + TaskTgid);
        return ppid;
    }

    static bool UidMatches() => TargetUid == AnyUid || (uint)Bpf.GetCurrentUidGid() == TargetUid;
}
