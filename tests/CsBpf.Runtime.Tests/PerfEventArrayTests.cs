using System.Buffers.Binary;
using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>The perf event array reader against samples written by an XDP program run with BPF_PROG_TEST_RUN (Fixtures/perf_output.bpf.c).</summary>
public sealed class PerfEventArrayTests : IDisposable
{
    private const ulong Pattern = 0x9E3779B97F4A7C15UL;
    private static readonly byte[] Packet = new byte[64];

    private readonly BpfObject _obj;

    public PerfEventArrayTests()
    {
        KernelEnvironment.Require();
        _obj = BpfObject.Open(BpfFixtures.Compile("perf_output"), "perf_output");
        _obj.Load();
    }

    public void Dispose() => _obj.Dispose();

    [Fact]
    public void Samples_arrive_in_order_with_their_content_on_the_CPU_that_wrote_them()
    {
        var samples = _obj.GetPerfEventArray("samples");
        Assert.Same(samples, _obj.GetPerfEventArray("samples"));
        Assert.NotEmpty(samples.Cpus);
        SetSampleSize(40);

        Emit(100);

        var seqs = new List<ulong>();
        var cpus = new HashSet<int>();
        var handled = samples.Consume((cpu, sample) =>
        {
            Assert.True(sample.Length >= 40 && sample.Length < 48, $"sample of {sample.Length} bytes"); // padded to 8-byte alignment with its size word
            seqs.Add(Verify(sample[..40]));
            cpus.Add(cpu);
        });

        Assert.Equal(100, handled);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), seqs); // one test run runs on one CPU: in order
        Assert.Single(cpus);
        Assert.Contains(cpus.Single(), samples.Cpus);
        Assert.Equal(0, samples.LostSamples);
        Assert.Equal(0, samples.Consume((_, _) => Assert.Fail("no sample expected")));
    }

    [Fact]
    public void A_full_buffer_reports_lost_samples_and_wrapped_samples_are_reassembled()
    {
        var samples = _obj.GetPerfEventArray("samples", pagesPerCpu: 1); // one 4 KiB page per CPU
        SetSampleSize(200); // 216-byte records: 18 fit, and the write position wraps every few rounds
        // Every test run on the same CPU, hence into the same buffer: the lost-samples report below is written
        // to the buffer that overflowed, with that CPU's next sample.
        using var pinned = new CpuPinning();

        ulong expected = 0;
        var received = 0L;
        for (var round = 0; round < 30; round++)
        {
            Emit(7);
            received += samples.Consume((_, sample) => Assert.Equal(expected++, Verify(sample[..200])));
        }
        Assert.Equal(210, received);

        Emit(100); // far more than fits without a reader
        var lostReports = new List<long>();
        var kept = samples.Consume((_, sample) => Verify(sample[..200]), (_, lost) => lostReports.Add(lost));
        // The kernel counts what it drops and writes the PERF_RECORD_LOST record with its next sample, once
        // there is room again (perf_output_begin): so one more sample brings the report.
        Emit(1);
        kept += samples.Consume((_, sample) => Verify(sample[..200]), (_, lost) => lostReports.Add(lost));

        Assert.True(samples.LostSamples > 0, $"CPU {pinned.Cpu}'s 4 KiB buffer should have overflowed");
        Assert.Equal(samples.LostSamples, lostReports.Sum());
        Assert.Equal(101, kept + samples.LostSamples);
    }

    [Fact]
    public async Task WaitAsync_completes_when_a_sample_is_written_and_disposal_detaches_the_events()
    {
        var samples = _obj.GetPerfEventArray("samples");
        Assert.False(samples.Wait(0));
        var wait = samples.WaitAsync().AsTask();
        Assert.False(wait.IsCompleted);

        Emit(1);
        await wait.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(samples.Wait(0));
        Assert.Equal(1, samples.Consume((_, _) => { }));

        samples.Dispose();
        Assert.True(samples.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => samples.Consume((_, _) => { }));
        Emit(5); // the map no longer holds the events: the program's output goes nowhere
        var fresh = _obj.GetPerfEventArray("samples");
        Assert.NotSame(samples, fresh);
        Assert.Equal(0, fresh.Consume((_, _) => { }));
        Assert.Contains("not a perf event array", Assert.Throws<BpfException>(() => _obj.GetPerfEventArray(_obj.Maps.First(m => m.IsInternal).Name)).Message);
    }

    [Fact]
    public async Task ReadAllAsync_yields_typed_samples_in_order_and_waits_for_more()
    {
        var samples = _obj.GetPerfEventArray("samples");
        SetSampleSize(40);
        Emit(50);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seqs = new List<ulong>();
        await foreach (var sample in samples.ReadAllAsync<SampleHead>(timeout.Token))
        {
            Assert.Equal(~sample.Value.Seq, sample.Value.Complement);
            Assert.Contains(sample.Cpu, samples.Cpus);
            Assert.Equal(0, sample.LostBefore);
            seqs.Add(sample.Value.Seq);
            if (seqs.Count == 50) break;
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (ulong)i), seqs);

        // The next enumeration starts empty and waits on epoll until the program writes again.
        var enumerator = samples.ReadAllAsync<SampleHead>(timeout.Token).GetAsyncEnumerator();
        try
        {
            var next = enumerator.MoveNextAsync().AsTask();
            await Task.Delay(50);
            Assert.False(next.IsCompleted);
            Emit(1);
            Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(50UL, enumerator.Current.Value.Seq);
            // One reader at a time: a concurrent Consume is refused while the enumeration holds the buffers.
            Assert.Throws<InvalidOperationException>(() => samples.Consume((_, _) => { }));

            using var cancel = new CancellationTokenSource();
            var pending = samples.ReadAllAsync<SampleHead>(cancel.Token).GetAsyncEnumerator();
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await pending.MoveNextAsync());
            await pending.DisposeAsync();
        }
        finally
        {
            await enumerator.DisposeAsync();
        }

        // Cancellation ends a waiting enumeration.
        using var stop = new CancellationTokenSource();
        var waiting = samples.ReadAllAsync<SampleHead>(stop.Token).GetAsyncEnumerator();
        var move = waiting.MoveNextAsync().AsTask();
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => move.WaitAsync(TimeSpan.FromSeconds(30)));
        await waiting.DisposeAsync();
        Assert.Equal(0, samples.Consume((_, _) => { })); // the slot was given back
    }

    // Blocking on the enumeration keeps this (CPU-pinned) thread: an await could resume elsewhere, and a test run
    // from another CPU would write into another buffer than the one holding the loss report.
#pragma warning disable xUnit1031
    [Fact]
    public void ReadAllAsync_attaches_lost_samples_to_the_sample_that_follows_them()
    {
        var samples = _obj.GetPerfEventArray("samples", pagesPerCpu: 1);
        SetSampleSize(200);
        // Every test run on this CPU, so into one buffer; the enumeration is awaited synchronously so the thread
        // (and its pinning) stays the same throughout.
        using var pinned = new CpuPinning();
        Emit(100); // far more than the 4 KiB buffer holds without a reader

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var enumerator = samples.ReadAllAsync<SampleHead>(timeout.Token).GetAsyncEnumerator();
        long kept = 0, lost = 0;
        var gaps = new List<(ulong Seq, long Lost)>();
        var emitted = false;
        try
        {
            while (true)
            {
                var move = enumerator.MoveNextAsync();
                if (!move.IsCompleted)
                {
                    // Drained: the kernel writes its loss report once there is room, ahead of the next sample.
                    Assert.False(emitted, "the sample after the loss report should have arrived");
                    Emit(1);
                    emitted = true;
                }
                Assert.True(move.AsTask().GetAwaiter().GetResult());
                var sample = enumerator.Current;
                Assert.Equal(~sample.Value.Seq, sample.Value.Complement);
                Assert.Equal(pinned.Cpu, sample.Cpu);
                kept++;
                lost += sample.LostBefore;
                if (sample.LostBefore > 0) gaps.Add((sample.Value.Seq, sample.LostBefore));
                if (emitted && kept + lost == 101) break;
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        Assert.True(lost > 0, $"CPU {pinned.Cpu}'s 4 KiB buffer should have overflowed");
        Assert.Equal(samples.LostSamples, lost);
        // The first samples filled the buffer, the rest of the 100 were dropped, and sample #100 follows the report
        // of exactly that gap.
        var (seq, gap) = Assert.Single(gaps);
        Assert.Equal(100UL, seq);
        Assert.Equal(100 - (kept - 1), gap);
    }
#pragma warning restore xUnit1031

    [Fact]
    public async Task ReadAllAsync_refuses_a_sample_shorter_than_the_type_and_leaves_it()
    {
        var samples = _obj.GetPerfEventArray("samples");
        SetSampleSize(16);
        Emit(1);
        var enumerator = samples.ReadAllAsync<Wide>().GetAsyncEnumerator();
        var e = await Assert.ThrowsAsync<BpfException>(async () => await enumerator.MoveNextAsync());
        Assert.Contains("shorter than Wide", e.Message);
        await enumerator.DisposeAsync();
        Assert.Equal(1, samples.Consume((_, sample) => Verify(sample[..16])));
    }

    private readonly record struct SampleHead(ulong Seq, ulong Complement);

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct Wide
    {
        private ulong _element;
    }

    private void Emit(int count) => _obj.GetProgram("emit_sample").TestRun(Packet, repeat: count);

    private void SetSampleSize(uint size) => _obj.GetGlobals<uint>(".data").Value = size;

    private static ulong Verify(ReadOnlySpan<byte> sample)
    {
        var seq = BinaryPrimitives.ReadUInt64LittleEndian(sample);
        Assert.Equal(~seq, BinaryPrimitives.ReadUInt64LittleEndian(sample[8..]));
        for (var k = 2; k * 8 < sample.Length; k++)
            Assert.Equal(unchecked(seq * Pattern + (ulong)k), BinaryPrimitives.ReadUInt64LittleEndian(sample[(k * 8)..]));
        return seq;
    }
}
