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
