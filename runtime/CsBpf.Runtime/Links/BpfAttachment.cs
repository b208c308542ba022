namespace CsBpf.Runtime;

/// <summary>
/// A program attached by a mechanism other than a libbpf <see cref="BpfLink"/>: a tc filter
/// (<see cref="BpfTcAttachment"/>), a socket filter, or an XDP link created with an explicit mode. Disposing it
/// detaches the program; so does disposing the <see cref="BpfObject"/> that created it.
/// </summary>
public abstract class BpfAttachment : IDisposable
{
    private int _detached;

    private protected BpfAttachment(BpfProgramHandle program, string target)
    {
        Program = program;
        Target = target;
    }

    /// <summary>The attached program.</summary>
    public BpfProgramHandle Program { get; }

    /// <summary>What the program is attached to, e.g. <c>tc ingress eth0</c>.</summary>
    public string Target { get; }

    /// <summary>True once the program was detached.</summary>
    public bool IsDisposed => Volatile.Read(ref _detached) != 0;

    /// <summary>Detaches the program. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _detached, 1) != 0) return;
        try
        {
            Detach(disposing: true);
        }
        finally
        {
            Program.Object.Forget(this);
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Detaches the program when the attachment was never disposed.</summary>
    ~BpfAttachment()
    {
        if (Interlocked.Exchange(ref _detached, 1) == 0) Detach(disposing: false);
    }

    /// <summary>Undoes the attachment; <paramref name="disposing"/> is false on the finalizer thread (managed objects may be gone).</summary>
    private protected abstract void Detach(bool disposing);

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name} {Program.Name} -> {Target}{(IsDisposed ? " (detached)" : "")}";
}
