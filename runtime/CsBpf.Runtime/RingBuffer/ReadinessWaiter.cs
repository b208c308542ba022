using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Turns "this fd became readable" into a completed task: one background thread blocks in <c>epoll_wait</c>
/// on a process-wide epoll instance where every waiting ring buffer (or <see cref="RingBufferPoller"/>'s own
/// epoll fd) is registered with <c>EPOLLIN | EPOLLONESHOT</c>. .NET's socket engine cannot watch arbitrary fds,
/// hence a dedicated thread; one for the whole process, so any number of async readers cost one thread.
/// </summary>
/// <remarks>
/// Why one-shot: a BPF ring buffer's poll is level-triggered (<c>ringbuf_map_poll_kern</c> in
/// kernel/bpf/ringbuf.c reports <c>EPOLLIN</c> while producer_pos != consumer_pos), so a permanently armed
/// registration would wake this thread again and again until the reader has drained the ring. A one-shot
/// registration fires once and is re-armed (<c>EPOLL_CTL_MOD</c>) only when the reader waits again; re-arming
/// re-checks readiness (<c>ep_modify</c> polls the file), so data that arrived in between is never missed.
/// </remarks>
internal sealed unsafe class ReadinessWaiter
{
    private const int MaxEvents = 64;
    private static readonly Lazy<ReadinessWaiter> s_shared = new(() => new ReadinessWaiter(), LazyThreadSafetyMode.ExecutionAndPublication);

    // Only registrations with a pending wait are held here (strongly: a pending wait keeps its reader alive, as
    // a socket's pending receive does). An idle registration is referenced by its owner alone, so a reader that
    // is never disposed can still be collected and its fd and mappings finalized.
    private readonly ConcurrentDictionary<ulong, ReadinessRegistration> _armed = new();
    private readonly FileDescriptorHandle _epoll;
    private long _nextId;

    private ReadinessWaiter()
    {
        var fd = LibC.epoll_create1(LibC.CloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"Cannot wait for ring buffer data: epoll_create1 failed ({Errno.Describe(errno)}).", errno);
        }
        _epoll = new FileDescriptorHandle(fd);
        var thread = new Thread(Run) { IsBackground = true, Name = "CsBpf epoll" };
        thread.Start();
    }

    /// <summary>The process-wide instance, created (with its thread) on first use.</summary>
    public static ReadinessWaiter Shared => s_shared.Value;

    /// <summary>The epoll fd (never closed: the instance lives as long as the process).</summary>
    internal int EpollFd => _epoll.Fd;

    /// <summary>
    /// Creates a registration for <paramref name="fd"/>, kept open by <paramref name="fdOwner"/>. Nothing is added
    /// to epoll until the first <see cref="ReadinessRegistration.WaitAsync"/>.
    /// </summary>
    /// <param name="fdOwner">Owns <paramref name="fd"/>; leased around every epoll_ctl so a concurrent close cannot let the number be reused.</param>
    /// <param name="fd">The fd to watch for <c>EPOLLIN</c>.</param>
    /// <param name="description">What the fd is, for messages.</param>
    public ReadinessRegistration Register(SafeHandle fdOwner, int fd, string description) =>
        new(this, (ulong)Interlocked.Increment(ref _nextId), fdOwner, fd, description);

    /// <summary>A wait is pending on <paramref name="registration"/>: deliver its next event.</summary>
    internal void Track(ReadinessRegistration registration) => _armed[registration.Id] = registration;

    /// <summary>No wait is pending any more (cancelled or disposed): an event still in flight is ignored.</summary>
    internal void Untrack(ReadinessRegistration registration) =>
        _armed.TryRemove(new KeyValuePair<ulong, ReadinessRegistration>(registration.Id, registration));

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LibC.EpollEventSize));
        while (true)
        {
            var count = LibC.epoll_wait(_epoll.Fd, events, MaxEvents, -1);
            if (count < 0)
            {
                // EINTR: a signal was delivered to this thread (epoll_wait is never restarted, whatever SA_RESTART says).
                if (Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                // Any other error means the epoll fd itself is broken; nothing can be waited for any more.
                FailAll(Marshal.GetLastPInvokeError());
                return;
            }
            for (var i = 0; i < count; i++)
                if (_armed.TryRemove(LibC.ReadEpollData(events, i), out var registration))
                    registration.Signal();
        }
    }

    private void FailAll(int errno)
    {
        foreach (var registration in _armed.Values)
            registration.Fail(new BpfException($"Waiting for ring buffer data failed: epoll_wait returned {Errno.Describe(errno)}.", errno));
    }
}
