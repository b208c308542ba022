using CsBpf.TestSupport;
using Xunit.Abstractions;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Random programs (fixed seed, plus CSBPF_FUZZ_SEED when set) run on the CLR and in the kernel: every
/// result must agree. A failing program is printed as C# with its input.
/// </summary>
public class RandomProgramTests(ITestOutputHelper output)
{
    public const int FixedSeed = 20261123;
    private const int ProgramsPerSeed = 2000;
    private const int BatchSize = 250;

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int> { FixedSeed };
        if (int.TryParse(Environment.GetEnvironmentVariable("CSBPF_FUZZ_SEED"), out int extra) && extra != FixedSeed) seeds.Add(extra);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_programs_agree_with_the_CLR(int seed)
    {
        KernelEnvironment.Require();
        output.WriteLine($"seed {seed} (set CSBPF_FUZZ_SEED to run another), {ProgramsPerSeed} programs");
        var generator = new ProgramGenerator(seed);
        int executions = 0;
        var problems = new List<string>();
        for (int start = 0; start < ProgramsPerSeed; start += BatchSize)
        {
            var cases = Enumerable.Range(start, BatchSize).Select(generator.Next).ToList();
            var outcome = DifferentialRunner.Run(cases);
            executions += outcome.Executions;
            problems.AddRange(outcome.CompileFailures.Select(f => "compile failure: " + f));
            problems.AddRange(outcome.Mismatches.Select(m => "mismatch: " + m));
            if (problems.Count > 0) break;
        }
        output.WriteLine($"{executions} kernel executions compared");
        Assert.True(problems.Count == 0, $"seed {seed}:\n" + string.Join("\n\n", problems.Take(5)));
        Assert.True(executions >= ProgramsPerSeed * 10, $"only {executions} executions: inputs were skipped");
    }
}
