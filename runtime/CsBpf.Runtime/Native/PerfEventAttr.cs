using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// The first 64 bytes of <c>struct perf_event_attr</c> (include/uapi/linux/perf_event.h), i.e.
/// <c>PERF_ATTR_SIZE_VER0</c>: every kernel accepts this size, and it holds all a BPF output event needs.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PerfEventAttr
{
    /// <summary><c>PERF_TYPE_SOFTWARE</c>.</summary>
    public const uint TypeSoftware = 1;

    /// <summary><c>PERF_COUNT_SW_BPF_OUTPUT</c>: the event <c>bpf_perf_event_output</c> writes to.</summary>
    public const ulong ConfigBpfOutput = 10;

    /// <summary><c>PERF_SAMPLE_RAW</c>: samples carry the program's bytes.</summary>
    public const ulong SampleRaw = 1UL << 10;

    /// <summary><c>PERF_ATTR_SIZE_VER0</c>.</summary>
    public const uint SizeVersion0 = 64;

    public uint Type;
    public uint Size;
    public ulong Config;
    /// <summary><c>sample_period</c> (union with <c>sample_freq</c>).</summary>
    public ulong SamplePeriod;
    public ulong SampleType;
    public ulong ReadFormat;
    /// <summary>The bit-field word: <c>disabled</c> is bit 0, <c>watermark</c> bit 14.</summary>
    public ulong Flags;
    /// <summary><c>wakeup_events</c> (union with <c>wakeup_watermark</c>): wake a poller after this many samples.</summary>
    public uint WakeupEvents;
    public uint BreakpointType;
    public ulong Config1;
}
