namespace CsBpf;

/// <summary>
/// The context of a tracepoint program: a pointer to the tracepoint's raw record (its layout is the
/// event's <c>format</c> file under tracefs). In BPF code it is the program's <c>ctx</c> register.
/// </summary>
public readonly unsafe struct TracepointContext : IBpfContext
{
    private readonly void* _record;

    /// <summary>Wraps a record pointer (used when the program runs on the CLR).</summary>
    public TracepointContext(void* record) => _record = record;

    /// <summary>The raw record pointer.</summary>
    public void* Record => _record;
}
