namespace CsBpf;

/// <summary>
/// Implemented by every program context type (<see cref="TracepointContext"/> and the contexts of the other
/// program types). In BPF code a value of such a type is the program's <c>ctx</c> pointer (register r1 at
/// entry), which is what helpers like <c>bpf_perf_event_output</c> and <c>bpf_get_stackid</c> take: APIs
/// that need the context accept any <c>TContext : IBpfContext</c>.
/// </summary>
public interface IBpfContext
{
}
