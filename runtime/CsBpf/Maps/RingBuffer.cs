using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf;

/// <summary>
/// A ring buffer (<c>BPF_MAP_TYPE_RINGBUF</c>, Linux 5.8) as seen from BPF code: records go into one buffer
/// shared by all CPUs and reach the host in the order they were reserved. Declare it as
/// <c>[Map] static readonly RingBuffer Events = new(sizeBytes: 1 &lt;&lt; 16);</c> (a power of two, at least a
/// page). Either copy a record in with <see cref="Output{T}"/>, or write it in place: <see cref="Reserve{T}"/>,
/// fill it, then <see cref="Submit{T}"/> or <see cref="Discard{T}"/> it on every path (the verifier checks).
/// The host reads it with <c>BpfRingBuffer</c>. On the CLR it is an in-memory ring with the same capacity rules;
/// <see cref="TryRead"/> consumes its records.
/// </summary>
[BpfMapKind(BpfMapType.RingBuf)]
public sealed class RingBuffer
{
    private const int HeaderSize = 8; // BPF_RINGBUF_HDR_SZ
    private readonly LinkedList<Record> _records = new();
    private long _producer, _consumer;

    private sealed class Record(Array storage, int length, long size)
    {
        public Array Storage { get; } = storage;
        public int Length { get; } = length;
        public long Size { get; } = size; // header + data rounded up to 8, as in the kernel's ring
        public bool Busy { get; set; } = true;
        public bool Discarded { get; set; }
    }

    /// <summary>Declares a ring buffer.</summary>
    /// <param name="sizeBytes">The data area's size (<c>max_entries</c>): a power of two and a multiple of the page size.</param>
    public RingBuffer(int sizeBytes)
    {
        if (sizeBytes <= 0 || !int.IsPow2(sizeBytes))
            throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes, "A ring buffer's size must be a power of two and a multiple of the page size.");
        SizeBytes = sizeBytes;
    }

    /// <summary>The data area's size in bytes.</summary>
    public int SizeBytes { get; }

    /// <summary>
    /// Reserves room for one <typeparamref name="T"/> (<c>bpf_ringbuf_reserve</c>, helper 131) and returns a
    /// reference to it in the ring, or a null reference when the ring is full (test it with
    /// <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>). The record's memory is not zeroed. Every reservation
    /// must end in <see cref="Submit{T}"/> or <see cref="Discard{T}"/>.
    /// </summary>
    [MapIntrinsic(MapOperation.RingBufferReserve, Helper = 131)]
    public ref T Reserve<T>() where T : unmanaged
    {
        lock (_records)
        {
            long size = Align8(HeaderSize + Unsafe.SizeOf<T>());
            // __bpf_ringbuf_reserve: the producer may run at most size - 1 bytes ahead of the consumer.
            if (_producer - _consumer + size > SizeBytes - 1) return ref Unsafe.NullRef<T>();
            T[] storage = GC.AllocateArray<T>(1, pinned: true); // a stable address, as a ring slot has
            _records.AddLast(new Record(storage, Unsafe.SizeOf<T>(), size));
            _producer += size;
            return ref storage[0];
        }
    }

    /// <summary>Commits a record from <see cref="Reserve{T}"/> (<c>bpf_ringbuf_submit</c>, helper 132).</summary>
    /// <param name="record">The reserved record.</param>
    /// <param name="flags">Wake-up behaviour.</param>
    [MapIntrinsic(MapOperation.RingBufferSubmit, Helper = 132)]
    public void Submit<T>(ref T record, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged => Commit(ref record, discard: false);

    /// <summary>Drops a record from <see cref="Reserve{T}"/> (<c>bpf_ringbuf_discard</c>, helper 133): the reader skips it.</summary>
    /// <param name="record">The reserved record.</param>
    /// <param name="flags">Wake-up behaviour.</param>
    [MapIntrinsic(MapOperation.RingBufferDiscard, Helper = 133)]
    public void Discard<T>(ref T record, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged => Commit(ref record, discard: true);

    /// <summary>
    /// Copies <paramref name="data"/> into the ring as one record (<c>bpf_ringbuf_output</c>, helper 130).
    /// Returns 0, <c>-EAGAIN</c> when the ring is full, or <c>-EINVAL</c> for unknown flags.
    /// </summary>
    [MapIntrinsic(MapOperation.RingBufferOutput, Helper = 130)]
    public long Output<T>(in T data, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged
    {
        if ((flags & ~(RingBufferFlags.NoWakeup | RingBufferFlags.ForceWakeup)) != 0) return -ClrErrno.EINVAL;
        ref T slot = ref Reserve<T>();
        if (Unsafe.IsNullRef(ref slot)) return -11; // EAGAIN
        slot = data;
        Submit(ref slot);
        return 0;
    }

    /// <summary>Reads a property of the ring (<c>bpf_ringbuf_query</c>, helper 134).</summary>
    [MapIntrinsic(MapOperation.RingBufferQuery, Helper = 134)]
    public ulong Query(RingBufferQuery query)
    {
        lock (_records)
            return query switch
            {
                RingBufferQuery.AvailableData => (ulong)(_producer - _consumer),
                RingBufferQuery.RingSize => (ulong)SizeBytes,
                RingBufferQuery.ConsumerPosition => (ulong)_consumer,
                RingBufferQuery.ProducerPosition => (ulong)_producer,
                _ => 0,
            };
    }

    /// <summary>
    /// Consumes the oldest record (CLR only: what the host reader does), skipping discarded ones. False when
    /// there is none, or when the oldest reservation is not submitted yet (the kernel's reader stops there too).
    /// </summary>
    public bool TryRead(out byte[] record)
    {
        lock (_records)
        {
            while (_records.First is { Value: { Busy: false } first })
            {
                _records.RemoveFirst();
                _consumer += first.Size;
                if (first.Discarded) continue;
                record = CopyOut(first);
                return true;
            }
            record = [];
            return false;
        }
    }

    private static byte[] CopyOut(Record r) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(r.Storage), r.Length).ToArray();

    private void Commit<T>(ref T record, bool discard) where T : unmanaged
    {
        lock (_records)
        {
            for (LinkedListNode<Record>? n = _records.First; n is not null; n = n.Next)
            {
                if (!n.Value.Busy || n.Value.Storage is not T[] storage || !Unsafe.AreSame(ref storage[0], ref record)) continue;
                n.Value.Busy = false;
                n.Value.Discarded = discard;
                return;
            }
        }
        throw new InvalidOperationException("The record was not reserved from this ring buffer, or was already submitted or discarded.");
    }

    private static long Align8(long n) => (n + 7) & ~7L;
}
