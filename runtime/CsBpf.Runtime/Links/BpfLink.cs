using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// An attached program (a <c>struct bpf_link</c>). Disposing it detaches the program (<c>bpf_link__destroy</c>);
/// so does disposing the <see cref="BpfObject"/> that created it. If neither happens, the link's finalizer
/// detaches it when it is collected.
/// </summary>
public sealed class BpfLink : IDisposable
{
    private readonly BpfObject _owner;
    private readonly BpfLinkSafeHandle _handle;

    internal BpfLink(BpfObject owner, BpfProgramHandle program, string target, BpfLinkSafeHandle handle)
    {
        _owner = owner;
        Program = program;
        Target = target;
        _handle = handle;
    }

    /// <summary>The attached program.</summary>
    public BpfProgramHandle Program { get; }

    /// <summary>What the program is attached to: <c>category/name</c> for an explicit tracepoint, otherwise the section name.</summary>
    public string Target { get; }

    /// <summary>True once the link was disposed (the program is detached).</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>The link's fd (<c>bpf_link__fd</c>): a BPF link fd, or the perf event fd for tracepoints on kernels without perf links.</summary>
    /// <exception cref="ObjectDisposedException">The link was disposed.</exception>
    public int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            using var lease = new HandleLease(_handle);
            return LibBpf.bpf_link__fd(lease.Pointer);
        }
    }

    /// <summary>Detaches the program (<c>bpf_link__destroy</c>). Idempotent.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed) return;
        _handle.Dispose();
        _owner.Forget(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfLink {Program.Name} -> {Target}{(IsDisposed ? " (detached)" : "")}";
}
