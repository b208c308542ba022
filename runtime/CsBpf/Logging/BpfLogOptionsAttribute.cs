namespace CsBpf;

/// <summary>
/// Options of the <see cref="BpfLog"/> ring buffer of a <c>[BpfProgram]</c> class (the <c>csbpf_log</c> map the
/// compiler adds when the class logs).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfLogOptionsAttribute : Attribute
{
    /// <summary>The default ring size: 256 KiB.</summary>
    public const int DefaultBufferSize = 256 * 1024;

    /// <summary>
    /// The ring's data size in bytes: a power of two and a multiple of the page size (the kernel's rule for
    /// <c>BPF_MAP_TYPE_RINGBUF</c>). Records that do not fit while the host is behind are dropped and counted.
    /// </summary>
    public int BufferSize { get; set; } = DefaultBufferSize;
}
