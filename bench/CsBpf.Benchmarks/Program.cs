using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CsBpf.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/CsBpf.Benchmarks -- --filter '*'</c> (as root), or
/// <c>-- --paired</c> for the paired map-overhead measurement (<see cref="PairedMapOverhead"/>), or
/// <c>-- --ring-min [rounds]</c> for the minimum-over-rounds ring drain comparison (<see cref="RingDrainMinimum"/>).
/// Benchmarks run in-process so the C reference (P/Invoke into libcsbpf_bench.so) and the C# runtime share one
/// process, one loaded BPF object and the same kernel maps.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Contains("--paired"))
        {
            PairedMapOverhead.Run();
            return;
        }
        if (Array.IndexOf(args, "--ring-min") is var ringMin and >= 0)
        {
            RingDrainMinimum.Run(ringMin + 1 < args.Length && int.TryParse(args[ringMin + 1], out var rounds) ? rounds : 300);
            return;
        }
        var config = DefaultConfig.Instance
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator)
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
