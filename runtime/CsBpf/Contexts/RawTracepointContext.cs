namespace CsBpf;

/// <summary>
/// The context of a raw tracepoint program: the tracepoint's arguments as 64-bit slots
/// (<c>struct bpf_raw_tracepoint_args { __u64 args[]; }</c>), in the order of its <c>TP_PROTO</c>.
/// Pointer arguments point into the kernel: read through them with <see cref="Bpf.ProbeReadKernel{T}"/>.
/// Reading a slot past the tracepoint's argument count makes the attach fail (the kernel checks it).
/// </summary>
public readonly unsafe struct RawTracepointContext : IBpfContext
{
    private readonly ulong* _args;

    /// <summary>Wraps an argument array (used when the program runs on the CLR).</summary>
    public RawTracepointContext(void* args) => _args = (ulong*)args;

    /// <summary>The wrapped pointer (the CLR side of <see cref="Bpf.AddressOf{T}"/>).</summary>
    internal void* Pointer => _args;

    /// <summary>Argument 0.</summary>
    [ContextField(0)] public ulong Arg0 => _args[0];

    /// <summary>Argument 1.</summary>
    [ContextField(8)] public ulong Arg1 => _args[1];

    /// <summary>Argument 2.</summary>
    [ContextField(16)] public ulong Arg2 => _args[2];

    /// <summary>Argument 3.</summary>
    [ContextField(24)] public ulong Arg3 => _args[3];

    /// <summary>Argument 4.</summary>
    [ContextField(32)] public ulong Arg4 => _args[4];

    /// <summary>Argument 5.</summary>
    [ContextField(40)] public ulong Arg5 => _args[5];
}
