using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>One way of a set-associative cache of recently seen processes.</summary>
public struct CacheSlot
{
    public uint Pid;
    public uint Hits;
    public ulong LastSeen;
}

/// <summary>
/// An LRU-ish cache in an array map: 64 sets of 4 ways indexed by pid; a hit refreshes the way, a miss
/// evicts the least recently seen way of the set. Hit/miss counters in a second array.
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class LruCache
{
    const uint Ways = 4;
    const uint Sets = 64;

    [Map] static readonly ArrayMap<CacheSlot> Cache = new(maxEntries: 256);
    [Map] static readonly ArrayMap<ulong> Outcomes = new(maxEntries: 2);

    static void CountOutcome(uint outcome)
    {
        ref ulong n = ref Outcomes.GetValueRefOrNullRef(outcome);
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
    }

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(TracepointContext ctx)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ulong now = Bpf.KtimeGetNs();
        uint set = pid % Sets;

        ref CacheSlot victim = ref Unsafe.NullRef<CacheSlot>();
        ulong oldest = ulong.MaxValue;
        for (uint way = 0; way < Ways; way++)
        {
            ref CacheSlot slot = ref Cache.GetValueRefOrNullRef(set * Ways + way);
            if (Unsafe.IsNullRef(ref slot)) continue;
            if (slot.Pid == pid)
            {
                slot.Hits++;
                slot.LastSeen = now;
                CountOutcome(0);
                return 0;
            }
            if (slot.LastSeen < oldest)
            {
                oldest = slot.LastSeen;
                victim = ref slot;
            }
        }
        if (!Unsafe.IsNullRef(ref victim))
        {
            victim.Pid = pid;
            victim.Hits = 1;
            victim.LastSeen = now;
        }
        CountOutcome(1);
        return 0;
    }
}
