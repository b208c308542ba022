using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// A perf event array (<c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>, Linux 4.4) as seen from BPF code: one perf ring
/// per CPU that <see cref="Output{TContext, T}(TContext, in T)"/> writes records to. Prefer <see cref="RingBuffer"/> on Linux
/// 5.8+ (one buffer, ordered, no per-CPU memory); this type is for older kernels and for tools that expect perf
/// buffers. Declare it as <c>[Map] static readonly PerfEventArray Events = new();</c>; the host reads it with
/// <c>BpfPerfEventArray</c>, which opens the per-CPU events and stores them in the map.
/// </summary>
[BpfMapKind(BpfMapType.PerfEventArray)]
public sealed class PerfEventArray
{
    private readonly Queue<byte[]> _records = new();

    /// <summary>Declares a perf event array.</summary>
    /// <param name="maxEntries">The number of slots; 0 (the default) lets libbpf use the number of possible CPUs.</param>
    public PerfEventArray(int maxEntries = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEntries);
        MaxEntries = maxEntries;
    }

    /// <summary>The number of slots, or 0 for one per possible CPU.</summary>
    public int MaxEntries { get; }

    /// <summary>
    /// Writes <paramref name="data"/> as one record to the current CPU's perf ring (<c>bpf_perf_event_output</c>,
    /// helper 25, with <c>BPF_F_CURRENT_CPU</c>). <paramref name="ctx"/> is the program's context. Returns 0,
    /// <c>-ENOENT</c> when the host has not opened this CPU's event, or <c>-ENOSPC</c> when the ring is full (the
    /// record is lost and counted).
    /// </summary>
    [MapIntrinsic(MapOperation.PerfEventOutput, Helper = 25, GplOnly = true,
        Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall | BpfProgramTypes.AllSkb | BpfProgramTypes.Xdp |
                   BpfProgramTypes.CgroupSock | BpfProgramTypes.CgroupSockAddr | BpfProgramTypes.SockOps | BpfProgramTypes.SkMsg |
                   BpfProgramTypes.CgroupDevice | BpfProgramTypes.CgroupSysctl | BpfProgramTypes.CgroupSockopt | BpfProgramTypes.SkLookup)]
    public long Output<TContext, T>(TContext ctx, in T data)
        where TContext : IBpfContext
        where T : unmanaged
    {
        lock (_records) _records.Enqueue(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in data)).ToArray());
        return 0;
    }

    /// <summary><see cref="Output{TContext, T}(TContext, in T)"/> for programs whose context is a struct passed by
    /// reference: a syscall program's <c>ref args</c>, a tracepoint's <c>in record</c>.</summary>
    [MapIntrinsic(MapOperation.PerfEventOutput, Helper = 25, GplOnly = true,
        Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall | BpfProgramTypes.AllSkb | BpfProgramTypes.Xdp |
                   BpfProgramTypes.CgroupSock | BpfProgramTypes.CgroupSockAddr | BpfProgramTypes.SockOps | BpfProgramTypes.SkMsg |
                   BpfProgramTypes.CgroupDevice | BpfProgramTypes.CgroupSysctl | BpfProgramTypes.CgroupSockopt | BpfProgramTypes.SkLookup)]
    public long Output<TContext, T>(ref readonly TContext ctx, in T data)
        where TContext : unmanaged
        where T : unmanaged
    {
        lock (_records) _records.Enqueue(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in data)).ToArray());
        return 0;
    }

    /// <summary>Consumes the oldest record (CLR only: what the host reader does).</summary>
    public bool TryRead(out byte[] record)
    {
        lock (_records) return _records.TryDequeue(out record!);
    }
}
