namespace CsBpf;

/// <summary><c>struct bpf_perf_event_value</c>: a perf counter with the times it was enabled and running (a
/// multiplexed counter's estimate is <c>Counter * Enabled / Running</c>).</summary>
public struct PerfEventValue
{
    /// <summary>The counter value.</summary>
    public ulong Counter;

    /// <summary>Nanoseconds the event was enabled.</summary>
    public ulong Enabled;

    /// <summary>Nanoseconds the event was running (counting) on the PMU.</summary>
    public ulong Running;
}
