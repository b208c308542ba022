using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// One fd watched by <see cref="ReadinessWaiter"/>, with at most one waiter at a time (a ring buffer has a
/// single consumer). Each <see cref="WaitAsync"/> re-arms the one-shot epoll registration.
/// </summary>
internal sealed class ReadinessRegistration : IDisposable
{
    private readonly ReadinessWaiter _waiter;
    private readonly SafeHandle _fdOwner;
    private readonly int _fd;
    private readonly string _description;
    private readonly object _gate = new();
    private TaskCompletionSource? _pending;
    private bool _added;
    private bool _disposed;

    internal ReadinessRegistration(ReadinessWaiter waiter, ulong id, SafeHandle fdOwner, int fd, string description)
    {
        _waiter = waiter;
        Id = id;
        _fdOwner = fdOwner;
        _fd = fd;
        _description = description;
    }

    /// <summary>The epoll user data identifying this registration.</summary>
    public ulong Id { get; }

    /// <summary>Completes when the fd is readable (or was already readable when armed).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The registration was disposed while waiting.</exception>
    /// <exception cref="InvalidOperationException">Another wait on the same fd is pending.</exception>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = Arm();
        using (cancellationToken.UnsafeRegister(static (state, token) =>
               {
                   var (registration, cancelled) = ((ReadinessRegistration, TaskCompletionSource))state!;
                   registration.Cancel(cancelled, token);
               }, (this, pending)))
            await pending.Task.ConfigureAwait(false);
    }

    /// <summary>Cancels <paramref name="pending"/> if it is still the pending wait.</summary>
    private void Cancel(TaskCompletionSource pending, CancellationToken token)
    {
        lock (_gate)
        {
            if (_pending != pending) return;
            _pending = null;
            // The one-shot registration stays armed in epoll; if it fires later the waiter finds nothing tracked.
            _waiter.Untrack(this);
        }
        pending.TrySetCanceled(token);
    }

    /// <summary>Called on the epoll thread: the fd became readable.</summary>
    internal void Signal()
    {
        TaskCompletionSource? pending;
        lock (_gate)
        {
            pending = _pending;
            _pending = null;
        }
        pending?.TrySetResult();
    }

    /// <summary>Fails the pending waiter (the epoll thread is gone).</summary>
    internal void Fail(Exception exception)
    {
        TaskCompletionSource? pending;
        lock (_gate)
        {
            pending = _pending;
            _pending = null;
        }
        pending?.TrySetException(exception);
    }

    /// <summary>Removes the fd from epoll and fails a pending waiter with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        TaskCompletionSource? pending;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            pending = _pending;
            _pending = null;
            _waiter.Untrack(this);
            if (_added) Control(LibC.EpollCtlDel, out _);
        }
        pending?.TrySetException(new ObjectDisposedException(_description));
    }

    private TaskCompletionSource Arm()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, _description);
            if (_pending is { Task.IsCompleted: false })
                throw new InvalidOperationException($"{_description} already has a pending wait: a BPF ring buffer has a single consumer, so wait from one reader at a time.");
            // Continuations must not run on the epoll thread (a slow reader would stall every other ring).
            var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending = pending;
            // Tracked before arming: the event may be delivered as soon as epoll_ctl returns (Signal then waits for this lock).
            _waiter.Track(this);
            if (!Control(_added ? LibC.EpollCtlMod : LibC.EpollCtlAdd, out var errno))
            {
                _pending = null;
                _waiter.Untrack(this);
                throw new BpfException($"Cannot wait for {_description}: epoll_ctl failed ({Errno.Describe(errno)}).", errno);
            }
            _added = true;
            return pending;
        }
    }

    private unsafe bool Control(int operation, out int errno)
    {
        var added = false;
        try
        {
            // Keep the fd open for the call: a concurrent close could otherwise hand its number to another file.
            _fdOwner.DangerousAddRef(ref added);
            byte* epollEvent = stackalloc byte[16];
            LibC.WriteEpollEvent(epollEvent, LibC.EpollIn | LibC.EpollOneShot, Id);
            var ok = LibC.epoll_ctl(_waiter.EpollFd, operation, _fd, epollEvent) == 0;
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
            if (added) _fdOwner.DangerousRelease();
        }
    }
}
