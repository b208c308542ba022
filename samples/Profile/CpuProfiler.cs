using System.Runtime.CompilerServices;
using CsBpf;

namespace Samples.Profile;

/// <summary>What a sample is counted under: the process, its thread's name and the two stacks.</summary>
public struct StackKey
{
    /// <summary>The process (thread group) id.</summary>
    public uint Pid;

    /// <summary>The user-space stack's id in <c>Stacks</c>, or a negative errno (-EFAULT: none, e.g. a kernel thread).</summary>
    public int UserStackId;

    /// <summary>The kernel stack's id, or a negative errno (-EFAULT: the CPU was in user mode).</summary>
    public int KernelStackId;

    /// <summary>The sampled thread's command name.</summary>
    public TaskComm Comm;
}

/// <summary>
/// profile (BCC) in C#: a perf event program the host attaches to the software CPU clock of every CPU at N Hz.
/// Each time it fires it records the interrupted task's kernel and user stacks in a stack trace map and counts
/// the sample under (pid, comm, stack ids), so the kernel aggregates and the host only reads the totals.
/// </summary>
[BpfProgram(License = "GPL")] // bpf_get_stackid is GPL-only
public static partial class CpuProfiler
{
    /// <summary>The stack id of a stack that was not asked for (-U or -K).</summary>
    public const int NoStack = -1;

    // Set by the host before Load(); the verifier sees them as constants.
    static readonly uint TargetProcess;   // -p: only this process (0: all)
    static readonly bool UserStacksOnly;  // -U
    static readonly bool KernelStacksOnly; // -K
    static readonly bool IncludeIdle;     // -I: count the idle task (pid 0) too

    /// <summary>Stacks by id: the same call path gets the same id, so the map holds each distinct stack once.</summary>
    [Map] static readonly StackTraceMap Stacks = new(maxEntries: 16384);

    /// <summary>Samples per (pid, comm, user stack, kernel stack).</summary>
    [Map] static readonly HashMap<StackKey, ulong> Counts = new(maxEntries: 40960);

    [PerfEvent]
    static int OnSample(PerfEventContext ctx)
    {
        ulong pidTgid = Bpf.GetCurrentPidTgid();
        uint pid = (uint)(pidTgid >> 32), thread = (uint)pidTgid;
        if (thread == 0 && !IncludeIdle) return 0; // the CPU was idle
        if (TargetProcess != 0 && pid != TargetProcess) return 0;

        StackKey key = default;
        key.Pid = pid;
        Bpf.GetCurrentComm(out key.Comm);
        // bpf_get_stackid walks from the interrupted registers in ctx (helper 27); for the user stack of a task
        // interrupted in the kernel it starts from the registers saved at its kernel entry.
        key.UserStackId = KernelStacksOnly ? NoStack : (int)Stacks.GetStackId(ctx, StackTraceFlags.UserStack);
        key.KernelStackId = UserStacksOnly ? NoStack : (int)Stacks.GetStackId(ctx, StackTraceFlags.None);

        ref ulong count = ref Counts.GetValueRefOrNullRef(key);
        if (Unsafe.IsNullRef(ref count))
        {
            Counts.Update(key, 0, MapUpdateFlags.NoExist); // another CPU may create it first: then we add to its count
            count = ref Counts.GetValueRefOrNullRef(key);
            if (Unsafe.IsNullRef(ref count)) return 0;     // the map is full
        }
        Interlocked.Increment(ref count);
        return 0;
    }
}
