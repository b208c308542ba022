using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public struct Bucket
{
    public ulong Tokens;
    public ulong LastNs;
}

/// <summary>A per-uid token bucket on execve() (10 per second, burst 20): allowed/limited counters.</summary>
[BpfProgram(License = "GPL")]
public static partial class TokenBucket
{
    const ulong Burst = 20;
    const ulong NsPerToken = 100_000_000;

    [Map] static readonly HashMap<uint, Bucket> Buckets = new(maxEntries: 1024);
    [Map] static readonly ArrayMap<ulong> Verdicts = new(maxEntries: 2);

    static void Record(uint verdict)
    {
        ref ulong n = ref Verdicts.GetValueRefOrNullRef(verdict);
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
    }

    [Tracepoint("syscalls", "sys_enter_execve")]
    static int OnExecve(TracepointContext ctx)
    {
        uint uid = (uint)Bpf.GetCurrentUidGid();
        ulong now = Bpf.KtimeGetNs();
        ref Bucket b = ref Buckets.GetValueRefOrNullRef(uid);
        if (Unsafe.IsNullRef(ref b))
        {
            Bucket fresh = default;
            fresh.Tokens = Burst - 1;
            fresh.LastNs = now;
            Buckets.Update(uid, fresh, MapUpdateFlags.NoExist);
            Record(0);
            return 0;
        }
        ulong refill = (now - b.LastNs) / NsPerToken;
        if (refill > 0)
        {
            ulong tokens = b.Tokens + refill;
            b.Tokens = tokens > Burst ? Burst : tokens;
            b.LastNs += refill * NsPerToken;
        }
        bool allowed = b.Tokens > 0;
        if (allowed) b.Tokens--;
        Record(allowed ? 0u : 1u);
        return 0;
    }
}
