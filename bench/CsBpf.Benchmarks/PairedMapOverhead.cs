using System.Diagnostics;
using CsBpf.Runtime;

namespace CsBpf.Benchmarks;

/// <summary>
/// The C# runtime's per-operation overhead over libbpf, for map operations that cost a system call (about a
/// microsecond here, with tens of nanoseconds of jitter, which hides a few nanoseconds of difference in separate
/// BenchmarkDotNet runs). Runs blocks of <see cref="Block"/> operations in turn — libbpf from C (one P/Invoke
/// per block), libbpf P/Invoked directly from C# per operation, and the CsBpf API — thousands of times, in
/// rotating order, so drift and interference hit all three alike, and reports the median per-operation time of
/// each and the medians of the paired differences: the .NET interop cost (raw P/Invoke − C) and the runtime's
/// own cost (CsBpf − raw P/Invoke). Run with <c>--paired</c>.
/// </summary>
internal static unsafe class PairedMapOverhead
{
    private const int Block = 256;
    private const int Pairs = 20_000;

    public static void Run()
    {
        NativeBench.EnsureLoaded();
        using var obj = BenchEnvironment.LoadObject();
        var hash = obj.GetHashMap<uint, ulong>("counts");
        var array = obj.GetArrayMap<ulong>("values");
        for (var i = 0u; i < 1024; i++)
        {
            hash[i] = i;
            array[i] = i;
        }
        var hashFd = hash.Map.Fd;
        var arrayFd = array.Map.Fd;

        Console.WriteLine($"Blocks: {Pairs} x {Block} operations per variant, rotating order; per-operation ns, medians over blocks (95% bootstrap CI).");
        Console.WriteLine($"{"operation",-13} {"libbpf C",9} {"raw P/Invoke",13} {"CsBpf",9} {"CsBpf - C",20} {"raw - C",20} {"CsBpf - raw",20}");
        Report("hash lookup", () => NativeBench.Lookup(hashFd, Block), () =>
        {
            ulong value;
            for (var key = 0u; key < Block; key++)
            {
                var k = key;
                NativeBench.RawLookup(hashFd, &k, &value);
            }
        }, () =>
        {
            for (var key = 0u; key < Block; key++) hash.TryGetValue(key, out _);
        });
        Report("hash update", () => NativeBench.Update(hashFd, Block), () =>
        {
            for (var key = 0u; key < Block; key++)
            {
                var k = key;
                ulong v = key;
                NativeBench.RawUpdate(hashFd, &k, &v, 0);
            }
        }, () =>
        {
            for (var key = 0u; key < Block; key++) hash.Update(key, key);
        });
        Report("array lookup", () => NativeBench.Lookup(arrayFd, Block), () =>
        {
            ulong value;
            for (var key = 0u; key < Block; key++)
            {
                var k = key;
                NativeBench.RawLookup(arrayFd, &k, &value);
            }
        }, () =>
        {
            for (var key = 0u; key < Block; key++) _ = array[key];
        });
    }

    private static void Report(string name, Func<long> c, Action raw, Action csbpf)
    {
        Action[] variants = [() => c(), raw, csbpf];
        for (var i = 0; i < 2000; i++)
            foreach (var variant in variants) variant();
        var times = new double[3][];
        for (var v = 0; v < 3; v++) times[v] = new double[Pairs];
        for (var i = 0; i < Pairs; i++)
        {
            // Rotate the order so no variant always runs right after the same other one.
            for (var j = 0; j < 3; j++)
            {
                var v = (i + j) % 3;
                times[v][i] = Time(variants[v]) / Block;
            }
        }
        Console.WriteLine($"{name,-13} {Median(times[0]),9:F1} {Median(times[1]),13:F1} {Median(times[2]),9:F1} " +
                          $"{Difference(times[2], times[0]),20} {Difference(times[1], times[0]),20} {Difference(times[2], times[1]),20}");
    }

    private static string Difference(double[] a, double[] b)
    {
        var differences = new double[a.Length];
        for (var i = 0; i < a.Length; i++) differences[i] = a[i] - b[i];
        var (low, high) = BootstrapMedianInterval(differences);
        return $"{Median(differences):F1} [{low:F1}, {high:F1}]";
    }

    private static double Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    /// <summary>A 95% percentile-bootstrap interval for the median.</summary>
    private static (double Low, double High) BootstrapMedianInterval(double[] values)
    {
        var random = new Random(12345);
        var medians = new double[1000];
        var sample = new double[values.Length];
        for (var b = 0; b < medians.Length; b++)
        {
            for (var i = 0; i < sample.Length; i++) sample[i] = values[random.Next(values.Length)];
            medians[b] = Median(sample);
        }
        Array.Sort(medians);
        return (medians[25], medians[974]);
    }
}
