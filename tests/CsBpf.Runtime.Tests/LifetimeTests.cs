using System.Diagnostics;
using System.Runtime.CompilerServices;
using CsBpf.TestSupport;
using Xunit.Abstractions;

namespace CsBpf.Runtime.Tests;

/// <summary>
/// Resource lifetime: thousands of open/load/attach/use/dispose cycles leave the fd count and RSS flat, and
/// objects that are never disposed are cleaned up by their finalizers. In one collection so no other test's
/// fds or memory move the numbers while they are measured.
/// </summary>
[Collection(nameof(LifetimeTests))]
[CollectionDefinition(nameof(LifetimeTests), DisableParallelization = true)]
public sealed class LifetimeTests(ITestOutputHelper output)
{
    private const int Cycles = 10_000;

    [Fact]
    public void Ten_thousand_load_attach_use_dispose_cycles_leak_neither_fds_nor_memory()
    {
        KernelEnvironment.Require();
        var elf = BpfFixtures.Compile("lifetime");
        var cgroup = Cgroup2.Root;

        // Warm-up until RSS plateaus: tiered JIT, the GC's and glibc malloc's arenas reach their working size
        // within the first few thousand cycles, then stay flat (measured over 30,000 cycles: within ±5 MiB).
        for (var i = 0; i < 3000; i++) Cycle(elf, cgroup);
        Settle();
        var fdsBefore = OpenFds();
        var rssBefore = RssKiB();

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Cycles; i++) Cycle(elf, cgroup);
        watch.Stop();
        Settle();
        var fdsAfter = OpenFds();
        var rssAfter = RssKiB();

        output.WriteLine($"{Cycles} cycles in {watch.Elapsed.TotalSeconds:F1} s ({watch.Elapsed.TotalMilliseconds * 1000 / Cycles:F0} µs each); " +
                         $"fds {fdsBefore} -> {fdsAfter}; RSS {rssBefore / 1024.0:F1} -> {rssAfter / 1024.0:F1} MiB");
        Assert.InRange(fdsAfter, fdsBefore - 2, fdsBefore + 2);
        Assert.True(rssAfter - rssBefore < 20 * 1024, $"RSS grew by {(rssAfter - rssBefore) / 1024.0:F1} MiB over {Cycles} cycles");
    }

    [Fact]
    public void Objects_that_are_never_disposed_release_everything_when_finalized()
    {
        KernelEnvironment.Require();
        var elf = BpfFixtures.Compile("lifetime");
        var cgroup = Cgroup2.Root;
        Abandon(elf, cgroup, 1); // warm-up
        Settle();
        var fdsBefore = OpenFds();

        var fdsWhileAlive = Abandon(elf, cgroup, 50);
        Settle();
        var fdsAfter = OpenFds();

        output.WriteLine($"fds: {fdsBefore} before, {fdsWhileAlive} with 50 live objects, {fdsAfter} after finalization");
        Assert.True(fdsWhileAlive >= fdsBefore + 50 * 4, $"{fdsWhileAlive - fdsBefore} fds for 50 objects (expected maps, program, link and reader fds)");
        Assert.InRange(fdsAfter, fdsBefore - 2, fdsBefore + 2);
    }

    [Fact]
    public void Disposing_while_other_threads_use_the_maps_never_lets_them_touch_a_closed_fd()
    {
        // Element operations are protected by a hazard slot instead of a SafeHandle reference (CallGuard):
        // disposing must wait for the calls in flight, and later calls must fail with ObjectDisposedException,
        // never run on a closed (or reused) fd, which would surface as EBADF or as another map's data.
        KernelEnvironment.Require();
        var elf = BpfFixtures.Compile("maps");
        for (var round = 0; round < 20; round++)
        {
            var obj = BpfObject.Open(elf, "maps");
            obj.Load();
            var numbers = obj.GetHashMap<uint, ulong>("numbers");
            var pinnedPath = $"/sys/fs/bpf/csbpf-guard-{Guid.NewGuid():N}";
            obj.GetMap("slots").Pin(pinnedPath);
            var pinned = BpfArrayMap<Stats>.OpenPinned(pinnedPath);
            File.Delete(pinnedPath);
            const int Threads = 4;
            var operations = new long[Threads];
            var outcomes = new Exception?[Threads];
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                try
                {
                    for (var i = 0u; ; i++)
                    {
                        if (t % 2 == 0)
                        {
                            numbers[i % 64] = i;
                            numbers.TryGetValue(i % 64, out _);
                        }
                        else
                        {
                            pinned[i % 8] = new Stats(i, i);
                            _ = pinned[i % 8];
                        }
                        Interlocked.Increment(ref operations[t]);
                    }
                }
                catch (Exception e)
                {
                    outcomes[t] = e;
                }
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            // Dispose only once every thread is busy (no timing: wait for evidence).
            SpinWait.SpinUntil(() => Enumerable.Range(0, Threads).All(i => Interlocked.Read(ref operations[i]) >= 50));

            obj.Dispose();
            pinned.Dispose();
            foreach (var thread in threads) thread.Join();

            Assert.All(outcomes, e => Assert.IsType<ObjectDisposedException>(e));
        }
    }

    /// <summary>C: <c>struct stats</c> of maps.bpf.c.</summary>
    private record struct Stats(ulong Packets, ulong Bytes);

    private static void Cycle(byte[] elf, string cgroup)
    {
        using var obj = BpfObject.Open(elf, "lifetime");
        obj.Load();
        using var link = obj.GetProgram("count_egress").AttachCgroup(cgroup);
        var seen = obj.GetHashMap<uint, ulong>("seen");
        seen[1] = 2;
        Assert.Equal(2ul, seen[1]);
        Assert.Equal(0, obj.GetRingBuffer("events").Consume(_ => { }));
        _ = obj.GetGlobals<ulong>(".bss").ReadOnlyValue;
    }

    /// <summary>Creates objects with links, ring readers (one with a cancelled wait) and mappings, and drops them undisposed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Abandon(byte[] elf, string cgroup, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var obj = BpfObject.Open(elf, "lifetime");
            obj.Load();
            obj.GetProgram("count_egress").AttachCgroup(cgroup);
            var ring = obj.GetRingBuffer("events");
            using (var cts = new CancellationTokenSource())
            {
                var wait = ring.WaitAsync(cts.Token);
                cts.Cancel();
                Assert.ThrowsAny<OperationCanceledException>(() => wait.AsTask().GetAwaiter().GetResult());
            }
            _ = obj.GetGlobals<ulong>(".bss").ReadOnlyValue;
        }
        return OpenFds();
    }

    private static void Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

    private static long RssKiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
