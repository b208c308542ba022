namespace CsBpf.Runtime;

/// <summary>
/// What a perf event program samples (the essentials of <c>struct perf_event_attr</c>): the event
/// (<see cref="Type"/> and <see cref="Config"/>, e.g. the software CPU clock) and how often the program runs,
/// either every <see cref="Period"/> events or about <see cref="Frequency"/> times a second.
/// </summary>
public readonly record struct PerfEventConfig
{
    /// <summary><c>PERF_TYPE_HARDWARE</c>.</summary>
    public const uint TypeHardware = 0;

    /// <summary><c>PERF_TYPE_SOFTWARE</c>.</summary>
    public const uint TypeSoftware = 1;

    /// <summary><c>PERF_COUNT_SW_CPU_CLOCK</c>: a per-CPU timer, counted in nanoseconds.</summary>
    public const ulong SoftwareCpuClock = 0;

    /// <summary><c>PERF_COUNT_SW_TASK_CLOCK</c>: the task's CPU time, in nanoseconds.</summary>
    public const ulong SoftwareTaskClock = 1;

    /// <summary><c>PERF_COUNT_HW_CPU_CYCLES</c>.</summary>
    public const ulong HardwareCpuCycles = 0;

    /// <summary>An event sampled by period or frequency.</summary>
    /// <param name="type">The perf event type (<c>perf_event_attr.type</c>), e.g. <see cref="TypeSoftware"/>.</param>
    /// <param name="config">The event within the type (<c>perf_event_attr.config</c>), e.g. <see cref="SoftwareCpuClock"/>.</param>
    /// <param name="period">Run the program every this many events; 0 when <paramref name="frequency"/> is given.</param>
    /// <param name="frequency">Run the program about this many times a second (the kernel adapts the period); 0 when <paramref name="period"/> is given.</param>
    public PerfEventConfig(uint type, ulong config, ulong period = 0, ulong frequency = 0)
    {
        if ((period == 0) == (frequency == 0))
            throw new ArgumentException("Give exactly one of period and frequency (both non-zero, or both zero, is not a sampling rate).");
        Type = type;
        Config = config;
        Period = period;
        Frequency = frequency;
    }

    /// <summary>The software CPU clock sampled about <paramref name="hertz"/> times a second on each CPU (what
    /// profilers such as <c>perf record -F</c> and bcc's profile use).</summary>
    public static PerfEventConfig CpuClock(int hertz)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hertz);
        return new PerfEventConfig(TypeSoftware, SoftwareCpuClock, frequency: (ulong)hertz);
    }

    /// <summary>The software CPU clock sampled every <paramref name="nanoseconds"/> of CPU time, exactly (the
    /// program sees it as <c>PerfEventContext.SamplePeriod</c>).</summary>
    public static PerfEventConfig CpuClockPeriod(ulong nanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfZero(nanoseconds);
        return new PerfEventConfig(TypeSoftware, SoftwareCpuClock, period: nanoseconds);
    }

    /// <summary><c>perf_event_attr.type</c>.</summary>
    public uint Type { get; }

    /// <summary><c>perf_event_attr.config</c>.</summary>
    public ulong Config { get; }

    /// <summary><c>sample_period</c>, or 0 in frequency mode.</summary>
    public ulong Period { get; }

    /// <summary><c>sample_freq</c> (with the <c>freq</c> flag), or 0 in period mode.</summary>
    public ulong Frequency { get; }
}
