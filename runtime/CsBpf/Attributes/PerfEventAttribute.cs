namespace CsBpf;

/// <summary>
/// A perf event program (<c>BPF_PROG_TYPE_PERF_EVENT</c>, section <c>perf_event</c>), run on every sample of
/// the perf events it is attached to: a CPU clock at N Hz for profilers
/// (<c>BpfProgramHandle.AttachPerfEvent(PerfEventConfig.CpuClock(99))</c>, one event per CPU), hardware
/// counters or any event opened with <c>perf_event_open</c>. The method must be
/// <c>static int M(PerfEventContext ctx)</c>. Not attached by <c>AttachAll</c>: the event is chosen at attach time.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.PerfEvent)]
public sealed class PerfEventAttribute : Attribute
{
}
