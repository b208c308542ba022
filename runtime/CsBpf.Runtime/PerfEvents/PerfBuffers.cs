using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// The per-CPU perf buffers of a <see cref="BpfPerfEventArray"/>: one <c>PERF_COUNT_SW_BPF_OUTPUT</c> event per
/// CPU (perf_event_open), each with its ring mapped read-write (one metadata page, <c>struct
/// perf_event_mmap_page</c>, then a power-of-two number of data pages), plus the epoll instance watching them.
/// One handle for all, so a consume call leases them with a single reference count; releasing unmaps and
/// closes everything.
/// </summary>
internal sealed unsafe class PerfBuffers : SafeHandle
{
    /// <summary>Offsets in <c>struct perf_event_mmap_page</c>: data_head, data_tail, data_offset, data_size.</summary>
    public const int DataHeadOffset = 1024, DataTailOffset = 1032, DataOffsetOffset = 1040, DataSizeOffset = 1048;

    private readonly List<Buffer> _buffers = [];

    public PerfBuffers(int epollFd) : base(-1, ownsHandle: true) => SetHandle(epollFd);

    /// <summary>The epoll fd holding every CPU's event fd.</summary>
    public int EpollFd => (int)handle;

    /// <summary>The CPUs' buffers.</summary>
    public IReadOnlyList<Buffer> Items => _buffers;

    /// <inheritdoc />
    public override bool IsInvalid => handle < 0;

    /// <summary>Takes ownership of an event fd and its mapping.</summary>
    public void Add(int cpu, int fd, byte* mapping, nuint mappingLength)
    {
        var page = mapping;
        var offset = *(ulong*)(page + DataOffsetOffset);
        var size = *(ulong*)(page + DataSizeOffset);
        if (offset == 0 || size == 0)
        {
            // Kernels before 4.1 do not fill data_offset/data_size: the data follows the first page.
            offset = (ulong)Environment.SystemPageSize;
            size = mappingLength - (nuint)Environment.SystemPageSize;
        }
        _buffers.Add(new Buffer(cpu, fd, mapping, mappingLength, mapping + offset, size));
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        var ok = true;
        foreach (var buffer in _buffers)
        {
            ok &= LibC.munmap(buffer.Mapping, buffer.MappingLength) == 0;
            ok &= LibC.close(buffer.Fd) == 0;
        }
        ok &= LibC.close((int)handle) == 0;
        return ok;
    }

    /// <summary>One CPU's event and ring.</summary>
    internal sealed class Buffer(int cpu, int fd, byte* mapping, nuint mappingLength, byte* data, ulong dataSize)
    {
        /// <summary>The CPU.</summary>
        public int Cpu { get; } = cpu;

        /// <summary>The perf event fd.</summary>
        public int Fd { get; } = fd;

        /// <summary>The metadata page (<c>struct perf_event_mmap_page</c>), followed by the data pages.</summary>
        public byte* Mapping { get; } = mapping;

        /// <summary>Metadata page plus data pages.</summary>
        public nuint MappingLength { get; } = mappingLength;

        /// <summary>The data area.</summary>
        public byte* Data { get; } = data;

        /// <summary>Its size (a power of two).</summary>
        public ulong DataSize { get; } = dataSize;

        /// <summary><c>data_head</c>: advanced by the kernel.</summary>
        public ulong* Head => (ulong*)(Mapping + DataHeadOffset);

        /// <summary><c>data_tail</c>: advanced by the reader.</summary>
        public ulong* Tail => (ulong*)(Mapping + DataTailOffset);
    }
}
