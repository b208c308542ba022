using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Keeps an fd from being closed while a map operation uses it, for about a nanosecond: two plain stores and
/// two loads, instead of the two interlocked operations of <see cref="SafeHandle.DangerousAddRef"/> and
/// <see cref="SafeHandle.DangerousRelease"/> (6-11 ns measured here), on calls that should cost no more than
/// libbpf's own plus a few nanoseconds.
/// </summary>
/// <remarks>
/// <para>A hazard-pointer scheme with an asymmetric barrier. Each thread owns a slot (a 64-bit word on its own
/// cache line). Entering publishes the guard's id in the thread's slot, then checks that the guard is open;
/// leaving clears the slot. Closing marks the guard closed, runs <see cref="Interlocked.MemoryBarrierProcessWide"/>
/// (a full barrier on every CPU of the process: membarrier(2) on Linux) and waits until no slot holds the id.
/// After the process-wide barrier every thread either has its slot store visible to the closer, which then
/// waits for it, or performs its check after the barrier and sees the guard closed, so it never uses the fd.
/// Only closing pays for the barrier, and closing is rare.</para>
/// <para>Everything on the fast path is unmanaged on purpose: the slot pointer is a primitive thread-static
/// (the JIT inlines its access, which it does not do for a reference-type thread-static) and the slot holds an
/// id, not an object reference (no GC write barrier).</para>
/// <para>The fast path declines (returns null) when the guard is not open — not opened yet (the object is not
/// loaded) or closed — and when this thread has no slot yet or is already inside a guard; callers then take
/// their slow path (a <see cref="SafeHandle"/> lease), which also produces the right exception. Slow paths call
/// <see cref="EnsureSlot"/> so the thread's next call can be fast. A thread's slot goes back to a free list
/// when the thread ends (a finalizable token referenced only by the thread's own thread-static).</para>
/// </remarks>
internal sealed unsafe class CallGuard
{
    private const int NotOpen = 0, Open = 1, Closed = 2;
    private const int SlotStride = 8; // longs: one cache line per slot, so threads do not share lines
    private const int SlotsPerChunk = 256;

    private static readonly object s_registryGate = new();
    private static readonly List<nint> s_chunks = [];
    private static readonly Stack<nint> s_freeSlots = new();
    private static int s_usedInLastChunk = SlotsPerChunk;
    private static long s_nextId;

    [ThreadStatic] private static long* t_slot;
    [ThreadStatic] private static SlotToken? t_token;

    private readonly long _id = Interlocked.Increment(ref s_nextId);
    private volatile int _state;

    /// <summary>Creates a guard, open at once or not yet (<see cref="MarkOpen"/>).</summary>
    public CallGuard(bool open) => _state = open ? Open : NotOpen;

    /// <summary>Allows entries (the fds exist now).</summary>
    public void MarkOpen()
    {
        if (_state == NotOpen) _state = Open;
    }

    /// <summary>Enters the guard: the slot to pass to <see cref="Exit"/>, or null to take the slow path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long* TryEnter()
    {
        var slot = t_slot;
        if (slot == null || *slot != 0) return null;
        // Publish, then check. Volatile accesses are not reordered by the JIT; the CPU may still let the load
        // pass the store (x86 store buffering), which is what Close's process-wide barrier accounts for.
        Volatile.Write(ref *slot, _id);
        if (_state == Open) return slot;
        Volatile.Write(ref *slot, 0);
        return null;
    }

    /// <summary>Leaves the guard entered with <see cref="TryEnter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(long* slot) => Volatile.Write(ref *slot, 0);

    /// <summary>Gives the calling thread a slot, so its next <see cref="TryEnter"/> can succeed.</summary>
    public static void EnsureSlot()
    {
        if (t_slot != null) return;
        long* slot;
        lock (s_registryGate)
        {
            if (s_freeSlots.TryPop(out var free))
            {
                slot = (long*)free;
            }
            else
            {
                if (s_usedInLastChunk == SlotsPerChunk)
                {
                    // Never freed: slots are reused, and a chunk is 16 KiB per 256 threads.
                    s_chunks.Add((nint)NativeMemory.AlignedAlloc(SlotsPerChunk * SlotStride * sizeof(long), 64));
                    new Span<long>((void*)s_chunks[^1], SlotsPerChunk * SlotStride).Clear();
                    s_usedInLastChunk = 0;
                }
                slot = (long*)s_chunks[^1] + s_usedInLastChunk++ * SlotStride;
            }
        }
        t_token = new SlotToken(slot);
        t_slot = slot;
    }

    /// <summary>
    /// Stops new entries and waits for the threads inside the guard to leave. After it returns, no thread uses
    /// the protected fd through this guard. Idempotent. Must not be called by a thread that is inside the guard.
    /// </summary>
    public void Close()
    {
        if (_state == Closed) return;
        _state = Closed;
        Interlocked.MemoryBarrierProcessWide();
        lock (s_registryGate)
        {
            for (var c = 0; c < s_chunks.Count; c++)
            {
                var used = c == s_chunks.Count - 1 ? s_usedInLastChunk : SlotsPerChunk;
                var chunk = (long*)s_chunks[c];
                for (var i = 0; i < used; i++)
                {
                    // Users hold the guard for one system call: this wait is short.
                    var spin = new SpinWait();
                    while (Volatile.Read(ref chunk[i * SlotStride]) == _id) spin.SpinOnce();
                }
            }
        }
    }

    /// <summary>Returns its thread's slot to the free list once the thread has ended (and the token is collected).</summary>
    private sealed class SlotToken(long* slot)
    {
        ~SlotToken()
        {
            // The thread is gone, so nobody writes the slot any more; it is 0 (every Exit cleared it).
            lock (s_registryGate) s_freeSlots.Push((nint)slot);
        }
    }
}
