namespace CsBpf;

/// <summary>
/// Sets of kernel program types: bit <c>n</c> is <c>enum bpf_prog_type</c> value <c>n</c>
/// (<c>include/uapi/linux/bpf.h</c>). Used to say which program types a helper is available to
/// (<see cref="BpfHelperAttribute.Programs"/>) and which one a program attribute produces
/// (<see cref="BpfProgramKindAttribute"/>).
/// </summary>
[Flags]
public enum BpfProgramTypes : ulong
{
    /// <summary>No program type.</summary>
    None = 0,
    /// <summary><c>BPF_PROG_TYPE_SOCKET_FILTER</c> (1).</summary>
    SocketFilter = 1UL << 1,
    /// <summary><c>BPF_PROG_TYPE_KPROBE</c> (2): kprobes, kretprobes, uprobes, uretprobes, USDT.</summary>
    Kprobe = 1UL << 2,
    /// <summary><c>BPF_PROG_TYPE_SCHED_CLS</c> (3): tc classifiers.</summary>
    SchedCls = 1UL << 3,
    /// <summary><c>BPF_PROG_TYPE_SCHED_ACT</c> (4): tc actions.</summary>
    SchedAct = 1UL << 4,
    /// <summary><c>BPF_PROG_TYPE_TRACEPOINT</c> (5).</summary>
    Tracepoint = 1UL << 5,
    /// <summary><c>BPF_PROG_TYPE_XDP</c> (6).</summary>
    Xdp = 1UL << 6,
    /// <summary><c>BPF_PROG_TYPE_PERF_EVENT</c> (7).</summary>
    PerfEvent = 1UL << 7,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SKB</c> (8).</summary>
    CgroupSkb = 1UL << 8,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCK</c> (9).</summary>
    CgroupSock = 1UL << 9,
    /// <summary><c>BPF_PROG_TYPE_SOCK_OPS</c> (13).</summary>
    SockOps = 1UL << 13,
    /// <summary><c>BPF_PROG_TYPE_SK_SKB</c> (14).</summary>
    SkSkb = 1UL << 14,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_DEVICE</c> (15).</summary>
    CgroupDevice = 1UL << 15,
    /// <summary><c>BPF_PROG_TYPE_SK_MSG</c> (16).</summary>
    SkMsg = 1UL << 16,
    /// <summary><c>BPF_PROG_TYPE_RAW_TRACEPOINT</c> (17).</summary>
    RawTracepoint = 1UL << 17,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCK_ADDR</c> (18).</summary>
    CgroupSockAddr = 1UL << 18,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SYSCTL</c> (23).</summary>
    CgroupSysctl = 1UL << 23,
    /// <summary><c>BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE</c> (24).</summary>
    RawTracepointWritable = 1UL << 24,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCKOPT</c> (25).</summary>
    CgroupSockopt = 1UL << 25,
    /// <summary><c>BPF_PROG_TYPE_TRACING</c> (26): fentry, fexit, fmod_ret, tp_btf, iterators.</summary>
    Tracing = 1UL << 26,
    /// <summary><c>BPF_PROG_TYPE_LSM</c> (29).</summary>
    Lsm = 1UL << 29,
    /// <summary><c>BPF_PROG_TYPE_SK_LOOKUP</c> (30).</summary>
    SkLookup = 1UL << 30,
    /// <summary><c>BPF_PROG_TYPE_SYSCALL</c> (31).</summary>
    Syscall = 1UL << 31,
    /// <summary><c>BPF_PROG_TYPE_NETFILTER</c> (32).</summary>
    Netfilter = 1UL << 32,

    /// <summary>The tracing family (kprobe, tracepoint, perf_event, raw tracepoint, fentry/fexit, LSM).</summary>
    AllTracing = Kprobe | Tracepoint | PerfEvent | RawTracepoint | RawTracepointWritable | Tracing | Lsm,
    /// <summary>Programs that see packets as <c>struct __sk_buff</c>.</summary>
    AllSkb = SocketFilter | SchedCls | SchedAct | CgroupSkb | SkSkb,
    /// <summary>Every program type.</summary>
    All = ~0UL,
}

/// <summary>Says which kernel program type a program attribute (such as <see cref="TracepointAttribute"/>) produces.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfProgramKindAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public BpfProgramKindAttribute(BpfProgramTypes type) => Type = type;

    /// <summary>The program type (a single flag).</summary>
    public BpfProgramTypes Type { get; }
}
