using System.Runtime.CompilerServices;
using CsBpf;

namespace Samples.RunQLat;

/// <summary>A histogram bucket: which histogram (0, a process or a thread id) and which power-of-two slot.</summary>
public struct HistogramKey
{
    /// <summary>0 for the system-wide histogram, a process id with -P, a thread id with -L.</summary>
    public uint Id;

    /// <summary>The log2 slot: latencies in [2^Slot, 2^(Slot+1)) (slot 0 also holds 0).</summary>
    public uint Slot;
}

/// <summary>
/// runqlat (BCC, libbpf-tools) in C#: how long runnable tasks wait in a CPU's run queue before they run,
/// as a log2 histogram. A task becomes runnable when it is woken (<c>sched_wakeup</c>, <c>sched_wakeup_new</c>)
/// or when it is switched out while still runnable (preempted); its wait ends when <c>sched_switch</c> switches
/// it in. Only the tracepoints' own fields are used (thread ids, the previous task's state), no kernel structs.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class RunQueueLatency
{
    /// <summary>Histogram slots (libbpf-tools' <c>MAX_SLOTS</c>): up to 2^26 µs, about a minute.</summary>
    public const int MaxSlots = 26;

    /// <summary>
    /// The <c>prev_state</c> bits that mean "not runnable" (<c>TASK_REPORT_MAX - 1</c>): the tracepoint reports
    /// a preempted task as <c>TASK_REPORT_MAX</c> (0x100, printed "R+") and a task that yielded as 0 ("R"); see
    /// <c>__trace_sched_switch_state</c> in include/trace/events/sched.h and the event's print fmt.
    /// </summary>
    public const long NotRunnableStates = 0xFF;

    // Set by the host before Load(); the verifier sees them as constants and drops the unused paths.
    static readonly uint TargetProcess;   // -p: only this process's threads (0: all)
    static readonly bool PerProcess;      // -P: a histogram per process
    static readonly bool PerThread;       // -L: a histogram per thread
    static readonly bool Milliseconds;    // -m: count milliseconds instead of microseconds

    /// <summary>Thread id → when it became runnable (ns).</summary>
    [Map] static readonly HashMap<uint, ulong> Enqueued = new(maxEntries: 10240);

    /// <summary>
    /// Thread id → process id. The records carry thread ids only, and a thread's process is known only while it
    /// runs (<c>bpf_get_current_pid_tgid</c>): <c>sched_switch</c> runs in the context of the task it switches
    /// out, so every task that has run since the tool started is here; the host adds the target's threads at start.
    /// </summary>
    [Map] static readonly LruHashMap<uint, uint> ProcessOf = new(maxEntries: 65536);

    /// <summary>Counts per (histogram, slot).</summary>
    [Map] static readonly HashMap<HistogramKey, ulong> Histograms = new(maxEntries: 65536);

    /// <summary>The command name of each per-process or per-thread histogram (LRU: never full).</summary>
    [Map] static readonly LruHashMap<uint, TaskComm> Names = new(maxEntries: 10240);

    [Tracepoint("sched", "sched_wakeup")]
    static int OnWakeup(ref readonly SchedWakeup record) => Enqueue((uint)record.Pid);

    [Tracepoint("sched", "sched_wakeup_new")]
    static int OnWakeupNew(ref readonly SchedWakeupNew record) => Enqueue((uint)record.Pid);

    [Tracepoint("sched", "sched_switch")]
    static int OnSwitch(ref readonly SchedSwitch record)
    {
        uint previous = (uint)record.PrevPid;
        if (TargetProcess != 0 || PerProcess)
            ProcessOf.Update(previous, (uint)(Bpf.GetCurrentPidTgid() >> 32)); // we run as the task being switched out

        // Switched out but still runnable (preempted or yielded): it waits in the run queue again.
        if ((record.PrevState & NotRunnableStates) == 0) Enqueue(previous);

        uint next = (uint)record.NextPid;
        ref ulong enqueued = ref Enqueued.GetValueRefOrNullRef(next);
        if (Unsafe.IsNullRef(ref enqueued)) return 0; // runnable since before we started, or filtered out
        ulong delta = Bpf.KtimeGetNs() - enqueued;
        Enqueued.Delete(next);

        delta = Milliseconds ? delta / 1_000_000 : delta / 1_000;
        HistogramKey key = default;
        uint slot = Log2(delta);
        key.Slot = slot < MaxSlots ? slot : MaxSlots - 1;
        if (PerProcess) key.Id = ProcessOf.TryGetValue(next, out uint process) ? process : next;
        else if (PerThread) key.Id = next;

        ref ulong count = ref Histograms.GetValueRefOrNullRef(key);
        if (Unsafe.IsNullRef(ref count))
        {
            // Create the bucket (another CPU may win the race: NoExist keeps its count) and count through the map.
            Histograms.Update(key, 0, MapUpdateFlags.NoExist);
            count = ref Histograms.GetValueRefOrNullRef(key);
            if (Unsafe.IsNullRef(ref count)) return 0; // the map is full
            if (PerProcess || PerThread)
            {
                TaskComm name = record.NextComm;
                Names.Update(key.Id, name);
            }
        }
        Interlocked.Increment(ref count);
        return 0;
    }

    static int Enqueue(uint thread)
    {
        if (thread == 0) return 0; // the idle task
        if (TargetProcess != 0 && !(ProcessOf.TryGetValue(thread, out uint process) && process == TargetProcess)) return 0;
        Enqueued.Update(thread, Bpf.KtimeGetNs());
        return 0;
    }

    /// <summary>floor(log2(<paramref name="v"/>)), 0 for 0 (libbpf-tools' bits.bpf.h <c>log2l</c>), without loops or tables.</summary>
    public static uint Log2(ulong v)
    {
        uint high = (uint)(v >> 32);
        return high != 0 ? Log2(high) + 32 : Log2((uint)v);
    }

    /// <summary>floor(log2(<paramref name="v"/>)) of a 32-bit value by binary search on the highest set bit.</summary>
    public static uint Log2(uint v)
    {
        uint r = v > 0xFFFF ? 16u : 0u;
        v >>= (int)r;
        uint shift = v > 0xFF ? 8u : 0u;
        v >>= (int)shift;
        r |= shift;
        shift = v > 0xF ? 4u : 0u;
        v >>= (int)shift;
        r |= shift;
        shift = v > 0x3 ? 2u : 0u;
        v >>= (int)shift;
        r |= shift;
        return r | (v >> 1);
    }
}
