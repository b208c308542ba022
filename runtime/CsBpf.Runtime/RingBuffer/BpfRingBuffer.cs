using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Reads a <c>BPF_MAP_TYPE_RINGBUF</c> map by parsing its shared memory directly, as the kernel lays it out
/// (kernel/bpf/ringbuf.c): no system call per record and no copy unless asked for. Get one from
/// <see cref="BpfObject.GetRingBuffer"/>.
/// </summary>
/// <remarks>
/// <para>Layout: <c>consumer_pos</c> (the reader's page, read-write), <c>producer_pos</c> (read-only), then the
/// data area. Each record starts on an 8-byte boundary with an 8-byte header whose first 32 bits are the record
/// length plus two flags: <c>BPF_RINGBUF_BUSY_BIT</c> (1&lt;&lt;31, still being written: stop there) and
/// <c>BPF_RINGBUF_DISCARD_BIT</c> (1&lt;&lt;30, discarded by the program: skip it). The reader loads
/// <c>producer_pos</c> and each header with acquire semantics (<c>Volatile.Read</c>), so the
/// record's bytes are visible once its busy bit is clear, and stores <c>consumer_pos</c> with release
/// semantics (<c>Volatile.Write</c>) after each record, which hands the space back to
/// the producers only when the reader is done with the record — the same protocol as libbpf's
/// <c>ringbuf_process_ring</c>.</para>
/// <para>A ring has one consumer position, hence one reader at a time: a second concurrent
/// <see cref="Consume(RingBufferHandler)"/> or <see cref="ReadAllAsync{T}"/> throws
/// <see cref="InvalidOperationException"/>.</para>
/// <para>The reader keeps its own duplicate of the map fd and its own mappings, so it stays usable and safe
/// whatever happens to the fds of the <see cref="BpfObject"/>; the object still disposes it with itself.</para>
/// </remarks>
public sealed unsafe class BpfRingBuffer : IDisposable
{
    /// <summary><c>BPF_RINGBUF_BUSY_BIT</c> (include/uapi/linux/bpf.h).</summary>
    internal const uint BusyBit = 1u << 31;

    /// <summary><c>BPF_RINGBUF_DISCARD_BIT</c>.</summary>
    internal const uint DiscardBit = 1u << 30;

    /// <summary><c>BPF_RINGBUF_HDR_SZ</c>.</summary>
    internal const uint HeaderSize = 8;

    private readonly BpfObject? _owner;
    private readonly FileDescriptorHandle _fd;
    private readonly RingBufferMemory _memory;
    private readonly ulong* _consumerPosition;
    private readonly ulong* _producerPosition;
    private readonly byte* _data;
    private readonly ulong _mask;
    private readonly object _gate = new();
    private readonly List<RingBufferPoller> _pollers = [];
    private ReadinessRegistration? _registration;
    private ulong _knownProducerPosition; // TryReadCommitted's last read of producer_pos (reader slot holder only)
    private int _reader;
    private volatile bool _disposed;

    private BpfRingBuffer(BpfMap map, BpfObject? owner, FileDescriptorHandle fd, RingBufferMemory memory)
    {
        Map = map;
        _owner = owner;
        _fd = fd;
        _memory = memory;
        _consumerPosition = memory.ConsumerPosition;
        _producerPosition = memory.ProducerPosition;
        _data = memory.Data;
        Capacity = checked((int)map.MaxEntries);
        _mask = map.MaxEntries - 1;
    }

    /// <summary>The ring buffer map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The size of the data area in bytes (the map's max_entries: a power of two, a multiple of the page size).</summary>
    public int Capacity { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// Bytes reserved by producers and not yet consumed (<c>producer_pos - consumer_pos</c>), headers and
    /// records still being written included. Zero means there is nothing to read.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public long UnreadBytes
    {
        get
        {
            using var lease = new HandleLease(_memory);
            return (long)(Volatile.Read(ref *_producerPosition) - Volatile.Read(ref *_consumerPosition));
        }
    }

    /// <summary>The reader's fd (a duplicate of the map fd it owns), for callers that poll it themselves.</summary>
    internal FileDescriptorHandle FdHandle => _fd;

    /// <summary>
    /// Handles every record available now (zero-copy) and returns how many were handled; does not wait.
    /// Records are released one by one as the handler returns. Stops early at a record that is still being
    /// written (busy). A handler that throws consumes its record and the exception propagates.
    /// </summary>
    /// <param name="handler">Called once per record, in order.</param>
    /// <returns>The number of records handled (discarded records are skipped and not counted).</returns>
    /// <exception cref="InvalidOperationException">Another reader is consuming this ring buffer.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public int Consume(RingBufferHandler handler) => Consume(handler, int.MaxValue);

    /// <summary>Like <see cref="Consume(RingBufferHandler)"/>, stopping after <paramref name="maxRecords"/> records.</summary>
    /// <param name="handler">Called once per record, in order.</param>
    /// <param name="maxRecords">The most records to handle (at least 1).</param>
    /// <returns>The number of records handled.</returns>
    public int Consume(RingBufferHandler handler, int maxRecords)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateHandler(handler);
        return Consume(ref adapter, maxRecords);
    }

    /// <summary>
    /// Handles every record available now as a read-only <typeparamref name="T"/> laid over the ring's memory
    /// (zero-copy). A record shorter than <typeparamref name="T"/> throws <see cref="BpfException"/> after
    /// being consumed (read such rings with the byte-span overload).
    /// </summary>
    /// <typeparam name="T">The record layout (its first <c>sizeof(T)</c> bytes).</typeparam>
    /// <param name="handler">Called once per record, in order.</param>
    /// <param name="maxRecords">The most records to handle (at least 1).</param>
    /// <returns>The number of records handled.</returns>
    public int Consume<T>(RingBufferHandler<T> handler, int maxRecords = int.MaxValue)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new TypedDelegateHandler<T>(handler, this);
        return Consume(ref adapter, maxRecords);
    }

    /// <summary>
    /// The fastest drain: handles every record available now with a struct handler, for which the JIT
    /// specializes this loop (no indirect call per record). Same semantics as <see cref="Consume(RingBufferHandler)"/>.
    /// </summary>
    /// <remarks>
    /// The loop works on a copy of <paramref name="handler"/>, which the JIT can keep in registers (through the
    /// reference it could not: the loop's stores to the ring's <c>consumer_pos</c> might alias it); the copy is
    /// written back when the call returns. If the handler throws, the state it accumulated during this call is
    /// lost (the records it saw are still consumed).
    /// </remarks>
    /// <typeparam name="THandler">The handler struct.</typeparam>
    /// <param name="handler">The handler; passed by reference so it can accumulate state across calls.</param>
    /// <param name="maxRecords">The most records to handle (at least 1).</param>
    /// <returns>The number of records handled.</returns>
    public int Consume<THandler>(ref THandler handler, int maxRecords = int.MaxValue)
        where THandler : struct, IRingBufferHandler
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        EnterReader();
        try
        {
            // Two specializations: without a limit the loop has no per-record count check at all.
            return maxRecords == int.MaxValue
                ? Drain<THandler, Unlimited>(ref handler, maxRecords)
                : Drain<THandler, Limited>(ref handler, maxRecords);
        }
        catch
        {
            // Only the handler throws inside Drain, and Drain publishes consumer_pos after every record, so the
            // record at consumer_pos is the one whose handler failed. Release it too (libbpf also consumes a
            // record whose callback fails), so a record the handler cannot process does not come back forever.
            // Handling this here rather than with a try/finally inside the loop keeps the loop free of exception
            // handling, which would otherwise force its position variables onto the stack.
            SkipRecordAtConsumerPosition();
            throw;
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>
    /// Completes when the ring holds unread data (at once if it already does), waiting without a thread of its
    /// own: the fd is watched with epoll by the runtime's single epoll thread. The kernel signals a reader when a
    /// record is committed while the reader has caught up with the producers (<c>bpf_ringbuf_commit</c>'s
    /// adaptive wake-up), or on every commit with <c>BPF_RB_FORCE_WAKEUP</c>; it never signals for
    /// <c>BPF_RB_NO_WAKEUP</c>. The head record may still be being written when this completes.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed before or during the wait.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return UnreadBytes != 0 ? ValueTask.CompletedTask : Registration().WaitAsync(cancellationToken);
    }

    /// <summary>Blocks the calling thread until the ring holds unread data or the timeout expires (<c>poll(2)</c> on the map fd).</summary>
    /// <param name="timeoutMilliseconds">The longest wait; -1 waits forever, 0 only checks.</param>
    /// <returns>True when there is data to read.</returns>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public bool Wait(int timeoutMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMilliseconds, -1);
        if (UnreadBytes != 0) return true;
        using var lease = new HandleLease(_fd);
        // struct pollfd { int fd; short events; short revents; }
        long pollFd = (uint)_fd.Fd | ((long)(ushort)LibC.PollIn << 32);
        while (true)
        {
            var ready = LibC.poll(&pollFd, 1, timeoutMilliseconds);
            if (ready >= 0) return ready > 0;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
                throw new BpfException($"Waiting for ring buffer '{Name}' failed: poll returned {Errno.Describe(errno)}.", errno);
        }
    }

    /// <summary>
    /// Reads the ring as an endless asynchronous stream of <typeparamref name="T"/> (each record's first
    /// <c>sizeof(T)</c> bytes, copied), waiting with epoll when it is empty, until
    /// <paramref name="cancellationToken"/> is cancelled (then <see cref="OperationCanceledException"/>) or the
    /// reader is disposed (then <see cref="ObjectDisposedException"/>). The enumeration is the ring's only
    /// reader while it runs. Each record is released as it is yielded, so breaking out of the loop loses
    /// nothing that was not yielded.
    /// </summary>
    /// <typeparam name="T">The record layout.</typeparam>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <remarks>
    /// While records are available, <c>MoveNextAsync</c> completes synchronously without allocating (a copy of
    /// the record and a position store); it goes asynchronous only to wait.
    /// </remarks>
    /// <exception cref="BpfException">A record is shorter than <typeparamref name="T"/> (it is left unread; read it with <see cref="Consume(RingBufferHandler)"/>).</exception>
    /// <exception cref="InvalidOperationException">Another reader is consuming this ring buffer.</exception>
    public IAsyncEnumerable<T> ReadAllAsync<T>(CancellationToken cancellationToken = default)
        where T : unmanaged => new RingBufferAsyncReader<T>(this, cancellationToken);

    /// <summary>
    /// Stops waiting, leaves every <see cref="RingBufferPoller"/>, closes the fd and unmaps the ring once no
    /// reader is inside a consume call. Idempotent. The owning <see cref="BpfObject"/> calls it too.
    /// </summary>
    public void Dispose()
    {
        ReadinessRegistration? registration;
        RingBufferPoller[] pollers;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            registration = _registration;
            pollers = [.. _pollers];
            _pollers.Clear();
        }
        // Unregister from every epoll set while the fd is still open (an fd number can only be removed while it is ours).
        foreach (var poller in pollers) poller.Detach(this);
        registration?.Dispose();
        _fd.Dispose();
        _memory.Dispose(); // munmap waits for readers holding a lease
        _owner?.Forget(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfRingBuffer '{Name}' ({Capacity} bytes{(_disposed ? ", disposed" : "")})";

    // ---- creation and internals ----------------------------------------------------------------------------

    /// <summary>Duplicates the map fd and maps the ring.</summary>
    internal static BpfRingBuffer Create(BpfMap map, BpfObject? owner)
    {
        if (map.Type != BpfMapType.RingBuf)
            throw new BpfException($"Map '{map.Name}' is a {map.Type} map, not a ring buffer (BPF_MAP_TYPE_RINGBUF): GetRingBuffer reads only ring buffers.");
        var size = map.MaxEntries;
        if (size == 0 || (size & (size - 1)) != 0 || size % (uint)Environment.SystemPageSize != 0)
            throw new BpfException($"Ring buffer '{map.Name}' has max_entries {size}, which the kernel would have refused: it must be a power of two and a multiple of the page size ({Environment.SystemPageSize}).");

        int duplicate;
        using (map.Lease("read ring buffer"))
            duplicate = LibC.fcntl(map.RawFd, LibC.FDupFdCloExec, 0);
        if (duplicate < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"Cannot read ring buffer '{map.Name}': duplicating its fd failed ({Errno.Describe(errno)}).", errno);
        }
        var fd = new FileDescriptorHandle(duplicate);
        var memory = RingBufferMemory.TryMap(duplicate, size, out var mapErrno, out var part);
        if (memory is null)
        {
            fd.Dispose();
            throw mapErrno is Errno.EPERM or Errno.EACCES
                ? new BpfPermissionException($"Mapping {part} of ring buffer '{map.Name}' was denied ({Errno.Name(mapErrno)}): reading a ring buffer needs root or CAP_BPF, and only the consumer page may be mapped writable.", mapErrno)
                : new BpfException($"Mapping {part} of ring buffer '{map.Name}' failed ({Errno.Describe(mapErrno)}).", mapErrno);
        }
        return new BpfRingBuffer(map, owner, fd, memory);
    }

    /// <summary>Registers a poller so <see cref="Dispose"/> can take the ring out of its epoll set.</summary>
    internal void AttachPoller(RingBufferPoller poller)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pollers.Add(poller);
        }
    }

    /// <summary>Called by a poller the ring was removed from.</summary>
    internal void DetachPoller(RingBufferPoller poller)
    {
        lock (_gate) _pollers.Remove(poller);
    }

    internal ReadinessRegistration Registration()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _registration ??= ReadinessWaiter.Shared.Register(_fd, _fd.Fd, $"ring buffer '{Name}'");
        }
    }

    /// <summary>Takes the single reader slot and keeps the mappings alive until <see cref="ExitReader"/>.</summary>
    internal void EnterReader()
    {
        if (Interlocked.CompareExchange(ref _reader, 1, 0) != 0)
            throw new InvalidOperationException(
                $"Ring buffer '{Name}' is already being read (by another Consume call, a ReadAllAsync enumeration or a RingBufferPoller): " +
                "a BPF ring buffer has one consumer position, so read it from one place at a time.");
        var added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
        }
        finally
        {
            if (!added) Volatile.Write(ref _reader, 0);
        }
    }

    internal void ExitReader()
    {
        _memory.DangerousRelease();
        Volatile.Write(ref _reader, 0);
    }

    /// <summary>The consume loop (caller holds the reader slot); see the class remarks for the protocol.</summary>
    /// <remarks>
    /// Compiled fully optimized at once: a reader may call it only a few times, each draining thousands of
    /// records, so tiered compilation (which promotes methods by call count) would leave it in unoptimized or
    /// on-stack-replacement code for a long time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Drain<THandler, TLimit>(ref THandler handlerReference, int maxRecords)
        where THandler : struct, IRingBufferHandler
        where TLimit : struct, IRecordLimit
    {
        var handler = handlerReference;
        var consumerPosition = _consumerPosition;
        var producerPosition = _producerPosition;
        var data = _data;
        var mask = _mask;
        var count = 0;
        // Only the reader writes consumer_pos, so a plain read of our own last store is enough.
        var position = *consumerPosition;
        while (true)
        {
            var end = Volatile.Read(ref *producerPosition);
            if (position >= end) break;
            do
            {
                var header = data + (position & mask);
                var length = Volatile.Read(ref *(uint*)header);
                if ((length & BusyBit) != 0) goto done;
                var size = length & ~(BusyBit | DiscardBit);
                var next = position + ((size + HeaderSize + 7) & ~7u);
                if ((length & DiscardBit) == 0)
                {
                    handler.OnRecord(MemoryMarshal.CreateReadOnlySpan(ref *(header + HeaderSize), (int)size));
                    count++;
                }
                position = next;
                Volatile.Write(ref *consumerPosition, position);
                if (TLimit.Reached(count, maxRecords)) goto done;
            }
            while (position < end);
        }
    done:
        handlerReference = handler;
        return count;
    }

    /// <summary>Releases the record at consumer_pos (its handler threw; the caller holds the reader slot).</summary>
    private void SkipRecordAtConsumerPosition()
    {
        var position = *_consumerPosition;
        if (position >= Volatile.Read(ref *_producerPosition)) return;
        var length = Volatile.Read(ref *(uint*)(_data + (position & _mask)));
        if ((length & BusyBit) != 0) return;
        var size = length & ~(BusyBit | DiscardBit);
        Volatile.Write(ref *_consumerPosition, position + ((size + HeaderSize + 7) & ~7u));
    }

    /// <summary>
    /// The common case of <see cref="TryRead{T}"/>, small enough to inline into the caller's loop: the next record
    /// is committed, not discarded and at least <c>sizeof(T)</c> long. Anything else (empty, busy, discarded, too
    /// short) returns false without touching the ring, and the caller falls back to <see cref="TryRead{T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryReadCommitted<T>(out T value)
        where T : unmanaged
    {
        var position = *_consumerPosition; // only the reader writes it
        // producer_pos only grows, and every record below a value once read has its header in place (the kernel
        // writes it, busy, before publishing the new producer_pos), so a cached value is a safe bound: re-read the
        // producers' cache line only when the reader has caught up with it.
        if (position < _knownProducerPosition || position < (_knownProducerPosition = Volatile.Read(ref *_producerPosition)))
        {
            var header = _data + (position & _mask);
            var length = Volatile.Read(ref *(uint*)header);
            // Busy and discard bits clear (both are above any length), and long enough for T.
            if ((length & (BusyBit | DiscardBit)) == 0 && length >= (uint)sizeof(T))
            {
                value = Unsafe.ReadUnaligned<T>(header + HeaderSize);
                Volatile.Write(ref *_consumerPosition, position + ((length + HeaderSize + 7) & ~7u));
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Copies the next committed record into <paramref name="value"/> and releases it (caller holds the reader slot).</summary>
    internal RecordState TryRead<T>(out T value)
        where T : unmanaged
    {
        var position = *_consumerPosition;
        while (true)
        {
            value = default;
            if (position >= Volatile.Read(ref *_producerPosition)) return RecordState.Empty;
            var header = _data + (position & _mask);
            var length = Volatile.Read(ref *(uint*)header);
            if ((length & BusyBit) != 0) return RecordState.Busy;
            var size = length & ~(BusyBit | DiscardBit);
            var next = position + ((size + HeaderSize + 7) & ~7u);
            if ((length & DiscardBit) == 0)
            {
                if (size < (uint)sizeof(T)) throw RecordTooShort<T>(size, consumed: false);
                value = Unsafe.ReadUnaligned<T>(header + HeaderSize);
                Volatile.Write(ref *_consumerPosition, next);
                return RecordState.Read;
            }
            position = next;
            Volatile.Write(ref *_consumerPosition, position);
        }
    }

    private BpfException RecordTooShort<T>(uint size, bool consumed)
        where T : unmanaged =>
        new($"Ring buffer '{Name}' holds a {size}-byte record, shorter than {typeof(T).Name} ({sizeof(T)} bytes)" +
            (consumed ? " (the record was consumed)" : " (the record was left unread)") +
            ": the C# type must match what the BPF program writes; read mixed-size records with Consume(RingBufferHandler) as bytes.");

    /// <summary>Whether <c>Drain</c> stops after a number of records; resolved at JIT time per specialization.</summary>
    private interface IRecordLimit
    {
        static abstract bool Reached(int count, int maxRecords);
    }

    private readonly struct Unlimited : IRecordLimit
    {
        public static bool Reached(int count, int maxRecords) => false;
    }

    private readonly struct Limited : IRecordLimit
    {
        public static bool Reached(int count, int maxRecords) => count >= maxRecords;
    }

    internal enum RecordState
    {
        Empty,
        Busy,
        Read,
    }

    private readonly struct DelegateHandler(RingBufferHandler handler) : IRingBufferHandler
    {
        public void OnRecord(ReadOnlySpan<byte> record) => handler(record);
    }

    private readonly struct TypedDelegateHandler<T>(RingBufferHandler<T> handler, BpfRingBuffer ring) : IRingBufferHandler
        where T : unmanaged
    {
        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (record.Length < sizeof(T)) throw ring.RecordTooShort<T>((uint)record.Length, consumed: true);
            handler(in MemoryMarshal.AsRef<T>(record));
        }
    }
}
