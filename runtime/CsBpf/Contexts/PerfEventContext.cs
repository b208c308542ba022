namespace CsBpf;

/// <summary>
/// The context of a perf event program (<c>struct bpf_perf_event_data</c>): the registers of the interrupted
/// task or kernel code (x86-64 <c>pt_regs</c>, the first 168 bytes), the sample period and, for events that
/// have one, the sampled address. Reads only.
/// </summary>
public readonly unsafe struct PerfEventContext : IBpfContext
{
    private readonly ulong* _data;

    /// <summary>Wraps a <c>bpf_perf_event_data</c> (used when the program runs on the CLR).</summary>
    public PerfEventContext(void* data) => _data = (ulong*)data;

    /// <summary>The wrapped pointer (the CLR side of <see cref="Bpf.AddressOf{T}"/>).</summary>
    internal void* Pointer => _data;

    /// <summary>The sample period: events per sample (nanoseconds for a clock event). In frequency mode the
    /// kernel adjusts it to reach the requested rate.</summary>
    [ContextField(168)] public ulong SamplePeriod => _data[21];

    /// <summary>The sampled data address (events with <c>PERF_SAMPLE_ADDR</c>, e.g. page faults), else 0.</summary>
    [ContextField(176)] public ulong Address => _data[22];

    /// <summary>The interrupted instruction pointer (rip).</summary>
    [ContextField(128)] public ulong InstructionPointer => _data[16];

    /// <summary>The interrupted stack pointer (rsp).</summary>
    [ContextField(152)] public ulong StackPointer => _data[19];

    /// <summary>The interrupted frame pointer (rbp).</summary>
    [ContextField(32)] public ulong FramePointer => _data[4];

    /// <summary>The code segment selector (cs): its low two bits are the privilege level, 3 in user mode.</summary>
    [ContextField(136)] public ulong CodeSegment => _data[17];
}
