using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// The two mappings of a <c>BPF_MAP_TYPE_RINGBUF</c> map, released together (one lease per consume call):
/// <list type="bullet">
/// <item>offset 0, one page, read-write: the consumer page, whose first word is <c>consumer_pos</c>, the only
/// thing user space may write (<c>ringbuf_map_mmap_kern</c> refuses <c>PROT_WRITE</c> beyond it);</item>
/// <item>offset one page, read-only: the producer page (<c>producer_pos</c>) followed by the data area mapped
/// twice in a row (kernel/bpf/ringbuf.c, <c>bpf_ringbuf_area_alloc</c>), so a record that wraps around the end
/// of the ring is still contiguous in memory.</item>
/// </list>
/// Both mappings keep the map alive on their own, independently of any fd.
/// </summary>
internal sealed unsafe class RingBufferMemory : SafeHandle
{
    private readonly nuint _consumerLength;
    private readonly byte* _producer;
    private readonly nuint _producerLength;

    private RingBufferMemory(byte* consumer, nuint consumerLength, byte* producer, nuint producerLength) : base(0, ownsHandle: true)
    {
        SetHandle((nint)consumer);
        _consumerLength = consumerLength;
        _producer = producer;
        _producerLength = producerLength;
    }

    /// <summary><c>consumer_pos</c>: written by the reader with release semantics, read by producers.</summary>
    public ulong* ConsumerPosition => (ulong*)handle;

    /// <summary><c>producer_pos</c>: advanced by producers when they reserve, read by the reader with acquire semantics.</summary>
    public ulong* ProducerPosition => (ulong*)_producer;

    /// <summary>The data area (its first mapping; the second follows it immediately).</summary>
    public byte* Data => _producer + Environment.SystemPageSize;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Maps the ring of <paramref name="dataSize"/> bytes behind <paramref name="fd"/>.</summary>
    /// <returns>Null with the errno and the part that failed.</returns>
    public static RingBufferMemory? TryMap(int fd, uint dataSize, out int errno, out string failedPart)
    {
        var page = (nuint)Environment.SystemPageSize;
        var consumer = LibC.mmap(null, page, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared, fd, 0);
        if (consumer == (void*)-1)
        {
            errno = Marshal.GetLastPInvokeError();
            failedPart = "the consumer page (read-write)";
            return null;
        }
        var producerLength = page + 2 * (nuint)dataSize;
        var producer = LibC.mmap(null, producerLength, LibC.ProtRead, LibC.MapShared, fd, (long)page);
        if (producer == (void*)-1)
        {
            errno = Marshal.GetLastPInvokeError();
            failedPart = "the producer page and data area (read-only)";
            LibC.munmap(consumer, page);
            return null;
        }
        errno = 0;
        failedPart = "";
        return new RingBufferMemory((byte*)consumer, page, (byte*)producer, producerLength);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        var producerOk = LibC.munmap(_producer, _producerLength) == 0;
        var consumerOk = LibC.munmap((void*)handle, _consumerLength) == 0;
        return producerOk && consumerOk;
    }
}
