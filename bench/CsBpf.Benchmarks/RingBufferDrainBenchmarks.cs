using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using CsBpf.Runtime;

namespace CsBpf.Benchmarks;

/// <summary>
/// Drains a ring buffer pre-filled by a BPF program (the `fill` SEC("syscall") program run with
/// BPF_PROG_TEST_RUN: bpf_loop writes <see cref="Records"/> records of <see cref="Size"/> bytes into the 64 MiB
/// ring before each iteration, untimed). Every reader does the same work per record: add its first 8 bytes
/// to a sum. Results are per record (OperationsPerInvoke). Baseline: the minimal C loop over the mmap.
/// </summary>
[MemoryDiagnoser]
public class RingBufferDrainBenchmarks
{
    /// <summary>Records per drain, the same for every size (30,000 x 2056 bytes fits the ring).</summary>
    public const int Records = 30_000;

    private BpfObject _object = null!;
    private BpfRingBuffer _reader = null!;
    private nint _libbpf;
    private nint _minimal;
    private ulong _expectedSum;

    /// <summary>Record payload size in bytes (plus the kernel's 8-byte header, rounded up to 8).</summary>
    [Params(8, 64, 256, 1024, 2048)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        NativeBench.EnsureLoaded();
        _object = BenchEnvironment.LoadObject();
        _reader = _object.GetRingBuffer("ring");
        var map = _object.GetMap("ring");
        _libbpf = NativeBench.LibbpfRingNew(map.Fd);
        _minimal = NativeBench.MinimalRingNew(map.Fd, map.MaxEntries);
        if (_libbpf == 0 || _minimal == 0) throw new InvalidOperationException("the C consumers could not map the ring");
        _expectedSum = (ulong)Records * (Records - 1) / 2;
        WarmUp();
    }

    /// <summary>
    /// Brings the C# readers to their final (tier-1, PGO) code before measuring: with one invocation per
    /// iteration, BenchmarkDotNet's own warm-up calls each method too few times for tiered compilation to finish,
    /// and a long-running reader would be past that point anyway.
    /// </summary>
    private void WarmUp()
    {
        for (var round = 0; round < 300; round++)
        {
            foreach (var drain in (Func<int>[])[
                () => { var h = new SumHandler(); return _reader.Consume(ref h); },
                () => _reader.Consume(record => _ = MemoryMarshal.Read<ulong>(record)),
                () => ReadAsync(100).GetAwaiter().GetResult()])
            {
                var args = new FillArgs { Count = 100, Size = 8 };
                _object.GetProgram("fill").TestRun(ref args);
                if (drain() != 100) throw new InvalidOperationException("warm-up drain failed");
            }
        }
    }

    private async Task<int> ReadAsync(int count)
    {
        var n = 0;
        await foreach (var _ in _reader.ReadAllAsync<ulong>())
            if (++n == count) break;
        return n;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeBench.LibbpfRingFree(_libbpf);
        NativeBench.MinimalRingFree(_minimal);
        _object.Dispose();
    }

    /// <summary>Fills the ring (untimed).</summary>
    [IterationSetup]
    public void Fill()
    {
        var args = new FillArgs { Count = Records, Size = (uint)Size };
        _object.GetProgram("fill").TestRun(ref args);
        if (args.Written != Records) throw new InvalidOperationException($"the ring took {args.Written} of {Records} records");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records, Description = "C minimal mmap loop")]
    public unsafe ulong MinimalC()
    {
        ulong sum = 0;
        var n = NativeBench.MinimalRingConsume(_minimal, &sum);
        return Check(n, sum);
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "C libbpf ring_buffer__consume")]
    public unsafe ulong LibbpfC()
    {
        ulong sum = 0;
        var n = NativeBench.LibbpfRingConsume(_libbpf, &sum);
        return Check(n, sum);
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "C# Consume(ref struct handler)")]
    public ulong CsBpfStructHandler()
    {
        var handler = new SumHandler();
        var n = _reader.Consume(ref handler);
        return Check(n, handler.Sum);
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "C# Consume(RingBufferHandler delegate)")]
    public ulong CsBpfDelegate()
    {
        ulong sum = 0;
        var n = _reader.Consume(record => sum += MemoryMarshal.Read<ulong>(record));
        return Check(n, sum);
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "C# ReadAllAsync<ulong> (copying)")]
    public async Task<ulong> CsBpfReadAllAsync()
    {
        ulong sum = 0;
        var n = 0;
        await foreach (var first in _reader.ReadAllAsync<ulong>())
        {
            sum += first;
            if (++n == Records) break;
        }
        return Check(n, sum);
    }

    private ulong Check(long records, ulong sum) =>
        records == Records && sum == _expectedSum ? sum : throw new InvalidOperationException($"drained {records} records (sum {sum}), expected {Records} (sum {_expectedSum})");

    [StructLayout(LayoutKind.Sequential)]
    private struct FillArgs
    {
        public uint Count;
        public uint Size;
        public ulong Written;
    }

    private struct SumHandler : IRingBufferHandler
    {
        public ulong Sum;

        public void OnRecord(ReadOnlySpan<byte> record) => Sum += MemoryMarshal.Read<ulong>(record);
    }
}
