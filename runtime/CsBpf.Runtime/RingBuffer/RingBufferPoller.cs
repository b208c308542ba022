using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Waits on several ring buffers at once — one epoll instance holding every ring's fd, like libbpf's
/// <c>struct ring_buffer</c> — and hands the records of whichever rings are ready to their handlers.
/// <see cref="Poll"/> blocks the calling thread in <c>epoll_wait</c>; <see cref="PollAsync"/> waits without a
/// thread (the runtime's epoll thread watches this poller's epoll fd, which is itself pollable).
/// </summary>
/// <remarks>
/// A ring added here is read by the poller: reading it elsewhere at the same time throws
/// <see cref="InvalidOperationException"/>. Disposing a ring removes it from its pollers. Handlers run on the
/// thread that calls <see cref="Poll"/>/<see cref="PollAsync"/>/<see cref="Consume"/>, one ring after the other.
/// </remarks>
public sealed class RingBufferPoller : IDisposable
{
    private const int MaxEvents = 32;

    /// <summary>epoll user data of the wake-up eventfd; rings get 1, 2, ...</summary>
    private const ulong WakeupId = 0;

    private readonly FileDescriptorHandle _epoll;
    private readonly FileDescriptorHandle _wakeup;
    private readonly object _gate = new();
    private readonly Dictionary<ulong, Entry> _entries = [];
    private ulong _nextId = WakeupId + 1;
    private ReadinessRegistration? _registration;
    private int _polling;
    private bool _disposed;

    /// <summary>Creates an empty poller (an epoll instance and an eventfd used to interrupt <see cref="Poll"/>).</summary>
    /// <exception cref="BpfException">epoll or eventfd could not be created.</exception>
    public unsafe RingBufferPoller()
    {
        var epoll = LibC.epoll_create1(LibC.CloExec);
        if (epoll < 0) throw Failure("epoll_create1", Marshal.GetLastPInvokeError());
        _epoll = new FileDescriptorHandle(epoll);
        var wakeup = LibC.eventfd(0, LibC.CloExec | LibC.NonBlock);
        if (wakeup < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _epoll.Dispose();
            throw Failure("eventfd", errno);
        }
        _wakeup = new FileDescriptorHandle(wakeup);
        byte* epollEvent = stackalloc byte[16];
        LibC.WriteEpollEvent(epollEvent, LibC.EpollIn, WakeupId);
        if (LibC.epoll_ctl(epoll, LibC.EpollCtlAdd, wakeup, epollEvent) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Dispose();
            throw Failure("epoll_ctl", errno);
        }
    }

    /// <summary>The number of rings in the poller.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>Adds <paramref name="ring"/>, whose records go to <paramref name="handler"/> (zero-copy spans).</summary>
    /// <exception cref="InvalidOperationException">The ring is already in this poller.</exception>
    public void Add(BpfRingBuffer ring, RingBufferHandler handler)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(handler);
        AddCore(ring, () => ring.Consume(handler));
    }

    /// <summary>Adds <paramref name="ring"/>, whose records go to <paramref name="handler"/> as <typeparamref name="T"/> references into the ring.</summary>
    /// <typeparam name="T">The record layout.</typeparam>
    /// <exception cref="InvalidOperationException">The ring is already in this poller.</exception>
    public void Add<T>(BpfRingBuffer ring, RingBufferHandler<T> handler)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(handler);
        AddCore(ring, () => ring.Consume(handler));
    }

    /// <summary>Removes <paramref name="ring"/>.</summary>
    /// <returns>False when it was not in the poller.</returns>
    public bool Remove(BpfRingBuffer ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        if (!RemoveEntry(ring)) return false;
        ring.DetachPoller(this);
        return true;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for any ring to hold data, then consumes every ring
    /// that is ready (the <c>ring_buffer__poll</c> model), on the calling thread.
    /// </summary>
    /// <param name="timeoutMilliseconds">-1 waits until data arrives (or cancellation), 0 only checks.</param>
    /// <param name="cancellationToken">Interrupts the wait (through the eventfd).</param>
    /// <returns>The number of records handled (0 when the wait timed out).</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Another thread is polling this poller.</exception>
    public int Poll(int timeoutMilliseconds = -1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMilliseconds, -1);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _polling, 1, 0) != 0)
            throw new InvalidOperationException("This RingBufferPoller is already being polled on another thread: poll it from one thread at a time.");
        try
        {
            using var registration = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static state => ((RingBufferPoller)state!).Wake(), this)
                : default;
            var ready = WaitReady(timeoutMilliseconds, out var woken);
            var handled = 0;
            foreach (var entry in ready) handled += entry.Consume();
            if (woken) cancellationToken.ThrowIfCancellationRequested();
            return handled;
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>
    /// Waits asynchronously until at least one record was handled: the poller's epoll fd is watched by the
    /// runtime's epoll thread, and the ready rings are consumed on the awaiting continuation.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of records handled (at least 1).</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async ValueTask<int> PollAsync(CancellationToken cancellationToken = default)
    {
        var idle = 0;
        while (true)
        {
            var handled = Poll(0, cancellationToken);
            if (handled > 0) return handled;
            if (++idle > 16)
            {
                // Ready without records: a record is reserved but not yet committed, and epoll reports the ring
                // readable until it is (its poll compares positions only). Back off instead of spinning.
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await Registration().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Consumes every ring without waiting (<c>ring_buffer__consume</c>).</summary>
    /// <returns>The number of records handled.</returns>
    public int Consume()
    {
        Entry[] entries;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            entries = [.. _entries.Values];
        }
        var handled = 0;
        foreach (var entry in entries) handled += entry.Consume();
        return handled;
    }

    /// <summary>Removes every ring and closes the epoll instance and the eventfd. Idempotent.</summary>
    public void Dispose()
    {
        Entry[] entries;
        ReadinessRegistration? registration;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
            registration = _registration;
        }
        foreach (var entry in entries) entry.Ring.DetachPoller(this);
        registration?.Dispose();
        _wakeup.Dispose();
        _epoll.Dispose();
    }

    /// <summary>Called by a ring being disposed: take it out of the epoll set while its fd is still open.</summary>
    internal void Detach(BpfRingBuffer ring) => RemoveEntry(ring);

    private void AddCore(BpfRingBuffer ring, Func<int> consume)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var existing in _entries.Values)
                if (existing.Ring == ring)
                    throw new InvalidOperationException($"Ring buffer '{ring.Name}' is already in this poller.");
            var id = _nextId++;
            ring.AttachPoller(this);
            if (!Control(LibC.EpollCtlAdd, ring, id, out var errno))
            {
                ring.DetachPoller(this);
                throw Failure($"epoll_ctl (adding ring buffer '{ring.Name}')", errno);
            }
            _entries[id] = new Entry(ring, consume);
        }
    }

    private bool RemoveEntry(BpfRingBuffer ring)
    {
        lock (_gate)
        {
            foreach (var (id, entry) in _entries)
            {
                if (entry.Ring != ring) continue;
                _entries.Remove(id);
                if (!_disposed) Control(LibC.EpollCtlDel, ring, id, out _);
                return true;
            }
            return false;
        }
    }

    private unsafe bool Control(int operation, BpfRingBuffer ring, ulong id, out int errno)
    {
        var fdHandle = ring.FdHandle;
        var added = false;
        try
        {
            fdHandle.DangerousAddRef(ref added);
            using var epoll = new HandleLease(_epoll);
            byte* epollEvent = stackalloc byte[16];
            // Level-triggered: a ring stays ready while it holds data, so Poll(0) after a partial read sees it again.
            LibC.WriteEpollEvent(epollEvent, LibC.EpollIn, id);
            var ok = LibC.epoll_ctl(_epoll.Fd, operation, fdHandle.Fd, epollEvent) == 0;
            errno = ok ? 0 : Marshal.GetLastPInvokeError();
            return ok;
        }
        catch (ObjectDisposedException)
        {
            errno = Errno.EBADF;
            return false;
        }
        finally
        {
            if (added) fdHandle.DangerousRelease();
        }
    }

    /// <summary>epoll_wait on the calling thread; returns the ready rings and whether the eventfd fired.</summary>
    private unsafe List<Entry> WaitReady(int timeoutMilliseconds, out bool woken)
    {
        woken = false;
        var ready = new List<Entry>();
        byte* events = stackalloc byte[MaxEvents * LibC.EpollEventSize];
        int count;
        using (var epoll = new HandleLease(_epoll))
        {
            count = LibC.epoll_wait(_epoll.Fd, events, MaxEvents, timeoutMilliseconds);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) return ready; // a signal: report "nothing yet", like a timeout
                throw Failure("epoll_wait", errno);
            }
        }
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var id = LibC.ReadEpollData(events, i);
                if (id == WakeupId)
                {
                    woken = true;
                    DrainWakeup();
                }
                else if (_entries.TryGetValue(id, out var entry))
                {
                    ready.Add(entry);
                }
            }
        }
        return ready;
    }

    private unsafe void Wake()
    {
        try
        {
            using var lease = new HandleLease(_wakeup);
            ulong one = 1;
            LibC.write(_wakeup.Fd, &one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a cancellation fired: nobody is waiting any more.
        }
    }

    private unsafe void DrainWakeup()
    {
        using var lease = new HandleLease(_wakeup);
        ulong value;
        LibC.read(_wakeup.Fd, &value, sizeof(ulong)); // non-blocking: resets the counter to 0
    }

    private ReadinessRegistration Registration()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _registration ??= ReadinessWaiter.Shared.Register(_epoll, _epoll.Fd, "RingBufferPoller");
        }
    }

    private static BpfException Failure(string call, int errno) =>
        new($"RingBufferPoller: {call} failed ({Errno.Describe(errno)}).", errno);

    private sealed record Entry(BpfRingBuffer Ring, Func<int> Consume);
}
