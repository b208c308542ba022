namespace CsBpf.Runtime;

/// <summary>
/// A perf event program attached to one perf event per CPU (or one per task): one <see cref="BpfLink"/> each.
/// Disposing detaches all of them and closes the events; so does disposing the <see cref="BpfObject"/>.
/// </summary>
public sealed class BpfPerfEventLinks : IDisposable
{
    internal BpfPerfEventLinks(IReadOnlyList<BpfLink> links, IReadOnlyList<int> cpus)
    {
        Links = links;
        Cpus = cpus;
    }

    /// <summary>The links, one per event.</summary>
    public IReadOnlyList<BpfLink> Links { get; }

    /// <summary>The CPU of each event (same order as <see cref="Links"/>); -1 for an event that follows a task on every CPU.</summary>
    public IReadOnlyList<int> Cpus { get; }

    /// <summary>True once every link was disposed.</summary>
    public bool IsDisposed => Links.All(l => l.IsDisposed);

    /// <summary>Detaches the program from every event (and closes the events). Idempotent.</summary>
    public void Dispose()
    {
        foreach (var link in Links) link.Dispose();
    }
}
