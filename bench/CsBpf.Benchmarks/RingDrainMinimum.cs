using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CsBpf.Runtime;

namespace CsBpf.Benchmarks;

/// <summary>
/// <c>--ring-min [reps]</c>: the ring buffer drain of every reader, as the minimum over many fill/drain rounds
/// instead of BenchmarkDotNet's mean. On a shared, loaded machine the mean moves by 10-20 % between runs, while
/// the minimum (the round nothing interrupted) is stable to about 1 %: good for comparing variants of the reader
/// while other work runs. The same fills and per-record work as <see cref="RingBufferDrainBenchmarks"/>; rounds
/// alternate between readers so drift affects them alike.
/// </summary>
public static class RingDrainMinimum
{
    private const int Records = RingBufferDrainBenchmarks.Records;

    public static void Run(int rounds)
    {
        NativeBench.EnsureLoaded();
        using var obj = BenchEnvironment.LoadObject();
        var reader = obj.GetRingBuffer("ring");
        var map = obj.GetMap("ring");
        var libbpf = NativeBench.LibbpfRingNew(map.Fd);
        var minimal = NativeBench.MinimalRingNew(map.Fd, map.MaxEntries);
        if (libbpf == 0 || minimal == 0) throw new InvalidOperationException("the C consumers could not map the ring");
        try
        {
            var fill = obj.GetProgram("fill");
            Console.WriteLine($"ring buffer drain, minimum ns/record over {rounds} rounds of {Records} records (ratio to the minimal C loop)");
            Console.WriteLine("payload | C minimal | C libbpf | C# struct handler | C# delegate | C# ReadAllAsync<ulong>");
            foreach (var size in (int[])[8, 64, 256, 1024, 2048])
            {
                var readers = new Func<long>[]
                {
                    () => { ulong sum = 0; unsafe { return NativeBench.MinimalRingConsume(minimal, &sum); } },
                    () => { ulong sum = 0; unsafe { return NativeBench.LibbpfRingConsume(libbpf, &sum); } },
                    () => { var h = new SumHandler(); return reader.Consume(ref h); },
                    () => { ulong sum = 0; return reader.Consume(record => sum += MemoryMarshal.Read<ulong>(record)); },
                    () => ReadAsync(reader).GetAwaiter().GetResult(),
                };
                var best = new double[readers.Length];
                Array.Fill(best, double.MaxValue);
                // Warm-up rounds bring the C# readers to their final (tier-1, PGO) code.
                for (var round = -50; round < rounds; round++)
                {
                    for (var i = 0; i < readers.Length; i++)
                    {
                        var args = new FillArgs { Count = Records, Size = (uint)size };
                        fill.TestRun(ref args);
                        var start = Stopwatch.GetTimestamp();
                        var drained = readers[i]();
                        var elapsed = Stopwatch.GetElapsedTime(start);
                        if (drained != Records) throw new InvalidOperationException($"reader {i} drained {drained} of {Records} records");
                        if (round >= 0) best[i] = Math.Min(best[i], elapsed.TotalNanoseconds / Records);
                    }
                }
                Console.WriteLine(string.Join(" | ", new[] { $"{size,5} B" }.Concat(best.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b:F2} ({b / best[0]:F2})")))));
            }
        }
        finally
        {
            NativeBench.LibbpfRingFree(libbpf);
            NativeBench.MinimalRingFree(minimal);
        }
    }

    private static async Task<long> ReadAsync(BpfRingBuffer reader)
    {
        var n = 0L;
        ulong sum = 0;
        await foreach (var first in reader.ReadAllAsync<ulong>())
        {
            sum += first;
            if (++n == Records) break;
        }
        return sum == (ulong)Records * (Records - 1) / 2 ? n : -1;
    }

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
