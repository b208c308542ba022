using System.Buffers.Binary;
using CsBpf.TestSupport;
using Xunit.Abstractions;

namespace CsBpf.Runtime.Tests;

/// <summary>
/// The ring buffer reader against records written by BPF programs in the kernel (Fixtures/ringbuf.bpf.c, run
/// with BPF_PROG_TEST_RUN): order, content, discards, wrap-around, drops, waiting and multi-ring polling.
/// </summary>
public sealed class RingBufferTests : IDisposable
{
    private readonly RingFixture _fixture;

    private readonly ITestOutputHelper _output;

    public RingBufferTests(ITestOutputHelper output)
    {
        _output = output;
        KernelEnvironment.Require();
        _fixture = new RingFixture();
    }

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(1, 200)]
    [InlineData(8, 1000)]
    [InlineData(13, 1000)]
    [InlineData(64, 1000)]
    [InlineData(256, 500)]
    [InlineData(1024, 200)]
    [InlineData(2048, 100)]
    [InlineData(4096, 60)]
    public void Consume_delivers_every_record_once_in_order_with_its_content(int size, int count)
    {
        var ring = _fixture.Events;
        Assert.Equal(0, ring.UnreadBytes);

        Assert.Equal(count, _fixture.Emit(firstSeq: 0, count, size));
        Assert.Equal(count * ((size + 8 + 7) / 8 * 8), ring.UnreadBytes); // 8-byte header, 8-byte aligned

        var seqs = new List<ulong>();
        var handled = ring.Consume(record => seqs.Add(RingFixture.Verify(record, size)));

        Assert.Equal(count, handled);
        var mask = size >= 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
        Assert.Equal(Enumerable.Range(0, count).Select(i => (ulong)i & mask), seqs);
        Assert.Equal(0, ring.UnreadBytes);
        Assert.Equal(0, ring.Consume(_ => Assert.Fail("no record expected")));
        Assert.Equal(new RingFixture.Counters { Produced = (ulong)count, Dropped = 0 }, _fixture.Counts.ReadOnlyValue);
    }

    [Fact]
    public void Discarded_records_are_skipped_and_typed_records_are_read_in_place()
    {
        var ring = _fixture.Events;
        var emitted = _fixture.EmitWithDiscards(firstSeq: 1, count: 300); // seq 1..300, multiples of 3 discarded

        var seen = new List<ulong>();
        var handled = ring.Consume((ref readonly RingFixture.FixedRecord record) =>
        {
            Assert.Equal(~record.Seq, record.Check);
            seen.Add(record.Seq);
        });

        Assert.Equal(200, emitted);
        Assert.Equal(200, handled);
        Assert.Equal(Enumerable.Range(1, 300).Where(i => i % 3 != 0).Select(i => (ulong)i), seen);
        Assert.Equal(0, ring.UnreadBytes); // the discarded records' space was released too
    }

    [Fact]
    public async Task ReadAllAsync_skips_discarded_records_and_stops_at_a_short_one_without_consuming_it()
    {
        var ring = _fixture.Events;
        Assert.Equal(200, _fixture.EmitWithDiscards(firstSeq: 1, count: 300)); // seq 1..300, multiples of 3 discarded
        _fixture.Emit(firstSeq: 1000, count: 1, size: 8);                    // then one record too short for FixedRecord

        var seen = new List<ulong>();
        var enumerator = ring.ReadAllAsync<RingFixture.FixedRecord>().GetAsyncEnumerator();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                Assert.True(await enumerator.MoveNextAsync());
                Assert.Equal(~enumerator.Current.Seq, enumerator.Current.Check);
                seen.Add(enumerator.Current.Seq);
            }
            var e = await Assert.ThrowsAsync<BpfException>(async () => await enumerator.MoveNextAsync());
            Assert.Contains("8-byte record, shorter than FixedRecord (16 bytes) (the record was left unread)", e.Message);
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
        Assert.Equal(Enumerable.Range(1, 300).Where(i => i % 3 != 0).Select(i => (ulong)i), seen);
        Assert.Equal(1, ring.Consume(r => Assert.Equal(1000ul, RingFixture.Verify(r, 8))));
    }

    [Fact]
    public void Records_wrapping_around_the_end_of_the_ring_are_contiguous()
    {
        // 'small' has 4096 data bytes; 1000-byte records take 1008, so the writer position wraps every few
        // records and most records straddle the end of the data area: the double mapping keeps them whole.
        var ring = _fixture.Small;
        Assert.Equal(4096, ring.Capacity);
        ulong next = 0;
        for (var round = 0; round < 25; round++)
        {
            var emitted = _fixture.Emit(next, count: 3, size: 1000, ring: 1);
            Assert.Equal(3, emitted);
            var handled = ring.Consume(record => Assert.Equal(next++, RingFixture.Verify(record, 1000)));
            Assert.Equal(3, handled);
        }
        Assert.Equal(75ul, next);
    }

    [Fact]
    public void A_full_ring_drops_records_in_the_producer_and_keeps_the_ones_it_accepted()
    {
        var ring = _fixture.Small;
        var emitted = _fixture.Emit(0, count: 10, size: 1000, ring: 1); // at most 4 x 1008 bytes fit in 4096

        var counts = _fixture.Counts.ReadOnlyValue;
        Assert.Equal(10ul, counts.Produced + counts.Dropped);
        Assert.True(counts.Dropped > 0, "the 4 KiB ring should have been full");
        Assert.Equal((ulong)emitted, counts.Produced);

        var seqs = new List<ulong>();
        Assert.Equal(emitted, ring.Consume(record => seqs.Add(RingFixture.Verify(record, 1000))));
        Assert.Equal(Enumerable.Range(0, emitted).Select(i => (ulong)i), seqs); // the first ones got in, in order

        // Space is back: the next run fits again.
        Assert.Equal(3, _fixture.Emit(100, count: 3, size: 1000, ring: 1));
    }

    [Fact]
    public void MaxRecords_limits_one_call_and_the_rest_stays_for_the_next()
    {
        var ring = _fixture.Events;
        _fixture.Emit(0, count: 10, size: 32);
        var seqs = new List<ulong>();

        Assert.Equal(3, ring.Consume(r => seqs.Add(RingFixture.Verify(r, 32)), maxRecords: 3));
        Assert.Equal(7 * 40, ring.UnreadBytes);
        Assert.Equal(7, ring.Consume(r => seqs.Add(RingFixture.Verify(r, 32))));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (ulong)i), seqs);
    }

    [Fact]
    public void A_throwing_handler_consumes_its_record_and_the_next_call_resumes_after_it()
    {
        var ring = _fixture.Events;
        _fixture.Emit(0, count: 5, size: 16);

        var seen = new List<ulong>();
        var e = Assert.Throws<InvalidDataException>(() => ring.Consume(r =>
        {
            var seq = RingFixture.Verify(r, 16);
            seen.Add(seq);
            if (seq == 2) throw new InvalidDataException("bad record");
        }));

        Assert.Equal("bad record", e.Message);
        Assert.Equal(2, ring.Consume(r => seen.Add(RingFixture.Verify(r, 16))));
        Assert.Equal(new ulong[] { 0, 1, 2, 3, 4 }, seen);
    }

    [Fact]
    public void A_struct_handler_drains_without_delegates()
    {
        var ring = _fixture.Events;
        _fixture.Emit(0, count: 1000, size: 8);
        var sum = new SumHandler();

        Assert.Equal(1000, ring.Consume(ref sum));

        Assert.Equal(1000, sum.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Sum(i => (long)i), (long)sum.Sum);
    }

    [Fact]
    public void Records_shorter_than_the_typed_view_are_reported()
    {
        var ring = _fixture.Events;
        _fixture.Emit(0, count: 2, size: 8);

        var e = Assert.Throws<BpfException>(() => ring.Consume((ref readonly RingFixture.FixedRecord _) => { }));

        Assert.Contains("8-byte record, shorter than FixedRecord (16 bytes)", e.Message);
        Assert.Equal(1, ring.Consume(r => Assert.Equal(1ul, RingFixture.Verify(r, 8)))); // the short record was consumed
    }

    [Fact]
    public void Only_one_reader_at_a_time()
    {
        var ring = _fixture.Events;
        _fixture.Emit(0, count: 2, size: 8);

        InvalidOperationException? nested = null;
        ring.Consume(_ => nested ??= Assert.Throws<InvalidOperationException>(() => ring.Consume(_ => { })));

        Assert.NotNull(nested);
        Assert.Contains("already being read", nested.Message);
        Assert.Equal(0, ring.UnreadBytes);
    }

    [Fact]
    public async Task ReadAllAsync_receives_records_from_a_concurrent_producer_exactly_once()
    {
        // The 4 KiB ring (56 records of 64 bytes) overflows when the reader falls behind: the producer counts
        // what it drops, and every record it did write must arrive once, in order, intact. Every fourth burst
        // the producer lets the reader drain the ring, so the reader also goes idle and is woken by epoll
        // hundreds of times.
        const int Runs = 2000, PerRun = 20, Size = 64;
        var ring = _fixture.Small;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // guards against a hang only

        // After the runs, a sentinel record is retried until the ring accepts it: the reader stops there.
        const ulong Sentinel = 1_000_000;
        var sentinelDrops = 0;
        // A dedicated thread, not the thread pool: on a 2-CPU machine a busy pool thread would delay the
        // reader's continuations until the pool injects another thread.
        var producerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var producerThread = new Thread(() =>
        {
            try
            {
                for (var run = 0; run < Runs; run++)
                {
                    _fixture.Emit((ulong)(run * PerRun), PerRun, Size, ring: 1);
                    if (run % 4 == 3 && !SpinWait.SpinUntil(() => ring.UnreadBytes == 0, TimeSpan.FromSeconds(30)))
                        throw new TimeoutException("the reader stopped draining the ring");
                }
                while (_fixture.Emit(Sentinel, 1, Size, ring: 1) == 0)
                {
                    sentinelDrops++;
                    Thread.Sleep(1);
                }
                producerDone.SetResult();
            }
            catch (Exception e)
            {
                producerDone.SetException(e);
            }
        }) { IsBackground = true, Name = "ring producer" };
        producerThread.Start();
        var producer = producerDone.Task;

        var received = 0L;
        var last = -1L;
        var seqs = new HashSet<ulong>();
        var expected = new byte[Size];
        await foreach (var record in ring.ReadAllAsync<Record64>(timeout.Token))
        {
            RingFixture.Fill(expected, record.Seq);
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<Record64>(in record)).SequenceEqual(expected), $"record {record.Seq} is corrupt");
            Assert.True((long)record.Seq > last, $"record {record.Seq} arrived after {last}");
            Assert.True(seqs.Add(record.Seq));
            last = (long)record.Seq;
            received++;
            if (record.Seq == Sentinel) break;
        }
        await producer;

        var counts = _fixture.Counts.ReadOnlyValue;
        Assert.Equal((ulong)(Runs * PerRun + 1 + sentinelDrops), counts.Produced + counts.Dropped);
        Assert.Equal(counts.Produced, (ulong)received);
        _output.WriteLine($"produced {counts.Produced}, dropped {counts.Dropped}, sentinel retries {sentinelDrops}");
        Assert.Equal(0, ring.UnreadBytes);
    }

    [Fact]
    public async Task ReadAllAsync_ends_with_cancellation_and_releases_the_ring()
    {
        var ring = _fixture.Events;
        _fixture.Emit(0, count: 3, size: 8);
        using var cts = new CancellationTokenSource();

        var seqs = new List<ulong>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var seq in ring.ReadAllAsync<ulong>(cts.Token))
            {
                seqs.Add(seq);
                if (seqs.Count == 3) cts.CancelAfter(50); // then the enumerator waits on epoll until cancelled
            }
        });

        Assert.Equal(new ulong[] { 0, 1, 2 }, seqs);
        _fixture.Emit(3, count: 1, size: 8);
        Assert.Equal(1, ring.Consume(r => Assert.Equal(3ul, RingFixture.Verify(r, 8)))); // the reader slot was released
    }

    [Fact]
    public async Task WaitAsync_completes_when_a_program_writes()
    {
        var ring = _fixture.Events;
        var wait = ring.WaitAsync().AsTask();
        Assert.False(wait.IsCompleted); // empty ring: waits on epoll

        _fixture.Emit(7, count: 1, size: 8);
        await wait.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(ring.Wait(0));
        Assert.Equal(1, ring.Consume(r => Assert.Equal(7ul, RingFixture.Verify(r, 8))));
        Assert.False(ring.Wait(0));
    }

    [Fact]
    public async Task WaitAsync_is_cancellable_and_ends_when_the_reader_is_disposed()
    {
        var ring = _fixture.Events;
        using var cts = new CancellationTokenSource();
        var cancelled = ring.WaitAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        var pending = ring.WaitAsync().AsTask();
        ring.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
        Assert.True(ring.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => ring.Consume(_ => { }));

        var fresh = _fixture.Events; // the object hands out a new reader once the old one is disposed
        Assert.NotSame(ring, fresh);
        _fixture.Emit(0, count: 1, size: 8);
        Assert.Equal(1, fresh.Consume(_ => { }));
    }

    [Fact]
    public async Task Wait_blocks_until_data_arrives()
    {
        var ring = _fixture.Events;
        Assert.False(ring.Wait(0));
        var producer = Task.Run(() =>
        {
            Thread.Sleep(100);
            _fixture.Emit(1, count: 1, size: 8);
        });

        Assert.True(ring.Wait(-1));
        await producer;
        Assert.Equal(1, ring.Consume(_ => { }));
    }

    [Fact]
    public async Task Poller_waits_on_several_rings_and_dispatches_to_each_handler()
    {
        using var poller = new RingBufferPoller();
        var fromEvents = new List<ulong>();
        var fromSmall = new List<ulong>();
        poller.Add(_fixture.Events, r => fromEvents.Add(RingFixture.Verify(r, 24)));
        poller.Add<RingFixture.FixedRecord>(_fixture.Small, (ref readonly RingFixture.FixedRecord r) => fromSmall.Add(r.Seq));
        Assert.Equal(2, poller.Count);
        Assert.Throws<InvalidOperationException>(() => poller.Add(_fixture.Small, _ => { }));

        Assert.Equal(0, poller.Poll(0)); // nothing yet
        _fixture.Emit(10, count: 4, size: 24, ring: 0);
        _fixture.Emit(20, count: 2, size: 16, ring: 1); // the first word of each record is its seq
        var handled = 0;
        while (handled < 6) handled += poller.Poll(1000);

        Assert.Equal(6, handled);
        Assert.Equal(new ulong[] { 10, 11, 12, 13 }, fromEvents);
        Assert.Equal(new ulong[] { 20, 21 }, fromSmall);

        // Asynchronously: completes once records were handled.
        var async = poller.PollAsync().AsTask();
        Assert.False(async.IsCompleted);
        _fixture.Emit(30, count: 1, size: 16, ring: 1);
        Assert.Equal(1, await async.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(new ulong[] { 20, 21, 30 }, fromSmall);

        // A ring in a poller is read by the poller only.
        Assert.Throws<InvalidOperationException>(() => poller.Add(_fixture.Events, _ => { }));
        Assert.True(poller.Remove(_fixture.Events));
        Assert.False(poller.Remove(_fixture.Events));
        Assert.Equal(1, poller.Count);
    }

    [Fact]
    public async Task Poller_poll_is_interrupted_by_cancellation_and_a_disposed_ring_leaves_it()
    {
        using var poller = new RingBufferPoller();
        var ring = _fixture.Small;
        poller.Add(ring, _ => { });
        using var cts = new CancellationTokenSource();

        var blocked = Task.Run(() => poller.Poll(-1, cts.Token));
        await Task.Delay(50);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(30)));

        ring.Dispose();
        Assert.Equal(0, poller.Count);
        Assert.Equal(0, poller.Poll(0));
    }

    [Fact]
    public void GetRingBuffer_checks_the_map_type_and_the_object_disposes_its_readers()
    {
        Assert.Same(_fixture.Events, _fixture.Events);
        Assert.Contains("not a ring buffer", Assert.Throws<BpfException>(() => _fixture.Object.GetRingBuffer("scratch_map")).Message);

        var obj = BpfObject.Open(BpfFixtures.Compile("ringbuf"), "ringbuf");
        Assert.Contains("call Load() first", Assert.Throws<InvalidOperationException>(() => obj.GetRingBuffer("events")).Message);
        obj.Load();
        var ring = obj.GetRingBuffer("events");
        obj.Dispose();

        Assert.True(ring.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => ring.UnreadBytes);
        Assert.Throws<ObjectDisposedException>(() => obj.GetRingBuffer("events"));
    }

    /// <summary>A 64-byte record: the sequence number, then 7 pattern words.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Record64
    {
        public ulong Seq;
        public ulong W1, W2, W3, W4, W5, W6, W7;
    }

    private struct SumHandler : IRingBufferHandler
    {
        public int Count;
        public ulong Sum;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            Count++;
            Sum += BinaryPrimitives.ReadUInt64LittleEndian(record);
        }
    }
}
