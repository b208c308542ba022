using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>
/// A C# BPF producer (Reserve/Submit/Discard, Output, Query) and the host's ring buffer reader end to end: every
/// submitted record exactly once, in order, with its content; discards skipped; a full ring refusing; the CLR model
/// of the ring giving the same answers. (A ring buffer carries data from BPF to the host only.)
/// </summary>
public sealed class RingBufferTests : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public ulong FirstSeq;
        public uint Count;
        public uint Mode;
        public ulong Flags;
        public ulong Emitted;
        public ulong Available;
        public ulong RingSize;
        public long LastError;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Event
    {
        public ulong Seq;
        public ulong Check;
        public uint Tag;
        public uint Pad;
    }

    private const string Members = """
        public struct Args { public ulong FirstSeq; public uint Count; public uint Mode; public ulong Flags; public ulong Emitted; public ulong Available; public ulong RingSize; public long LastError; }
        public struct Event { public ulong Seq; public ulong Check; public uint Tag; public uint Pad; }

        [Map] static readonly RingBuffer Events = new(sizeBytes: 1 << 16);
        [Map] static readonly RingBuffer Small = new(sizeBytes: 4096);

        static long Body(ref Args a)
        {
            ulong emitted = 0;
            for (uint i = 0; i < 256; i++)
            {
                if (i >= a.Count) break;
                ulong seq = a.FirstSeq + i;
                if (a.Mode == 0 || a.Mode == 1)
                {
                    // In place: reserve, fill, then submit, or discard every third record (mode 1).
                    ref Event e = ref Events.Reserve<Event>();
                    if (Unsafe.IsNullRef(ref e)) { a.LastError = -11; break; }
                    e.Seq = seq;
                    e.Check = ~seq;
                    e.Tag = 0xC5B9F;
                    e.Pad = 0;
                    if (a.Mode == 1 && seq % 3 == 0) Events.Discard(ref e);
                    else { Events.Submit(ref e, (RingBufferFlags)a.Flags); emitted++; }
                }
                else if (a.Mode == 2)
                {
                    // Copied in: bpf_ringbuf_output.
                    Event e = default;
                    e.Seq = seq;
                    e.Check = ~seq;
                    e.Tag = 0xC5B9F;
                    long r = Events.Output(e, (RingBufferFlags)a.Flags);
                    if (r != 0) { a.LastError = r; break; }
                    emitted++;
                }
                else
                {
                    // The small ring (4096 bytes, records of 24 + 8 bytes) until it refuses.
                    ref Event e = ref Small.Reserve<Event>();
                    if (Unsafe.IsNullRef(ref e)) { a.LastError = -11; break; }
                    e.Seq = seq;
                    e.Check = ~seq;
                    e.Tag = 1;
                    e.Pad = 0;
                    Small.Submit(ref e);
                    emitted++;
                }
            }
            a.Emitted = emitted;
            a.Available = a.Mode == 3 ? Small.Query(RingBufferQuery.AvailableData) : Events.Query(RingBufferQuery.AvailableData);
            a.RingSize = a.Mode == 3 ? Small.Query(RingBufferQuery.RingSize) : Events.Query(RingBufferQuery.RingSize);
            return 0;
        }
        """;

    private readonly MapHarness<Args> _harness;

    public RingBufferTests()
    {
        KernelEnvironment.Require();
        _harness = MapHarness<Args>.Syscall(Members, "ringbuf");
    }

    public void Dispose() => _harness.Dispose();

    private Args Emit(ulong first, uint count, uint mode, ulong flags = 0)
    {
        var a = new Args { FirstSeq = first, Count = count, Mode = mode, Flags = flags };
        Assert.Equal(0, _harness.Run(ref a));
        return a;
    }

    private static List<ulong> Drain(BpfRingBuffer ring)
    {
        var seen = new List<ulong>();
        ring.Consume((ref readonly Event e) =>
        {
            Assert.Equal(~e.Seq, e.Check);
            Assert.Equal(e.Tag == 1 ? 1u : 0xC5B9Fu, e.Tag);
            seen.Add(e.Seq);
        });
        return seen;
    }

    [Fact]
    public void Reserved_and_submitted_records_arrive_once_in_order()
    {
        var ring = _harness.Object.GetRingBuffer("Events");
        var a = Emit(first: 1000, count: 200, mode: 0);
        Assert.Equal(200UL, a.Emitted);
        Assert.Equal(200UL * 32, a.Available); // 24-byte records + 8-byte headers, seen by bpf_ringbuf_query
        Assert.Equal(1UL << 16, a.RingSize);
        Assert.Equal(200 * 32, ring.UnreadBytes);
        Assert.Equal(Enumerable.Range(1000, 200).Select(i => (ulong)i), Drain(ring));
        Assert.Empty(Drain(ring));
        Assert.Equal(0UL, Emit(0, 0, 0).Available); // consumed: the producer sees the space free again
    }

    [Fact]
    public void Discarded_records_are_skipped_and_output_copies_records()
    {
        var ring = _harness.Object.GetRingBuffer("Events");
        var a = Emit(first: 1, count: 90, mode: 1);
        Assert.Equal(60UL, a.Emitted);
        Assert.Equal(Enumerable.Range(1, 90).Where(i => i % 3 != 0).Select(i => (ulong)i), Drain(ring));

        var b = Emit(first: 500, count: 100, mode: 2, flags: (ulong)RingBufferFlags.NoWakeup);
        Assert.Equal(100UL, b.Emitted);
        Assert.Equal(0, b.LastError);
        Assert.Equal(Enumerable.Range(500, 100).Select(i => (ulong)i), Drain(ring));
    }

    [Fact]
    public void A_full_ring_refuses_reservations_until_the_host_consumes()
    {
        var ring = _harness.Object.GetRingBuffer("Small");
        // The producer may run at most size - 1 bytes ahead of the consumer (__bpf_ringbuf_reserve), so 127 of the
        // 32-byte records fit in 4096 bytes.
        var a = Emit(first: 0, count: 200, mode: 3);
        Assert.Equal(127UL, a.Emitted);
        Assert.Equal(-11, a.LastError);
        Assert.Equal(127UL * 32, a.Available);
        Assert.Equal(4096UL, a.RingSize);
        Assert.Equal(Enumerable.Range(0, 127).Select(i => (ulong)i), Drain(ring));
        var b = Emit(first: 127, count: 10, mode: 3);
        Assert.Equal(10UL, b.Emitted);
        Assert.Equal(Enumerable.Range(127, 10).Select(i => (ulong)i), Drain(ring));
    }

    [Fact]
    public void Unknown_flags_reach_the_helper_and_fail_like_on_the_CLR()
    {
        var kernel = new Args { FirstSeq = 1, Count = 1, Mode = 2, Flags = 4 };
        var clr = kernel;
        Assert.Equal(0, _harness.Run(ref kernel));
        Assert.Equal(0, _harness.RunOnClr(ref clr));
        Assert.Equal(-22, kernel.LastError); // bpf_ringbuf_output: -EINVAL for flags other than NO_WAKEUP/FORCE_WAKEUP
        Assert.Equal(kernel, clr);
    }

    [Fact]
    public void The_CLR_ring_buffer_model_matches_the_kernel()
    {
        var kernelRing = _harness.Object.GetRingBuffer("Small");
        var clrRing = (RingBuffer)_harness.ClrField("Small");
        foreach (var (first, count) in new[] { (0UL, 100u), (100UL, 200u), (300UL, 5u), (305UL, 127u) })
        {
            var kernel = new Args { FirstSeq = first, Count = count, Mode = 3 };
            var clr = kernel;
            Assert.Equal(0, _harness.Run(ref kernel));
            Assert.Equal(0, _harness.RunOnClr(ref clr));
            Assert.Equal(kernel, clr);

            var fromKernel = new List<byte[]>();
            kernelRing.Consume(record => fromKernel.Add(record.ToArray()));
            var fromClr = new List<byte[]>();
            while (clrRing.TryRead(out byte[] record)) fromClr.Add(record);
            Assert.Equal(fromKernel, fromClr);
        }
    }
}
