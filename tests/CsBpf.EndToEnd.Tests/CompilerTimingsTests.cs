namespace CsBpf.EndToEnd.Tests;

/// <summary>CSBPF_TIMINGS=1 makes csbpfc print its phase checkpoints (CompilerTimings); without it, none.</summary>
public class CompilerTimingsTests
{
    private static (int ExitCode, string Output, string OutDir) Compile(string? timings)
    {
        string src = Path.Combine(Path.GetTempPath(), $"csbpf-timings-{Guid.NewGuid():N}.cs");
        File.WriteAllText(src, BuildTests.Good);
        string outDir = Path.Combine(Path.GetTempPath(), $"csbpf-timings-out-{Guid.NewGuid():N}");
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var args = new List<string> { "exec", Tools.CsbpfcDll, "--out", outDir, "--reference", typeof(CsBpf.Bpf).Assembly.Location };
        foreach (string dll in Directory.GetFiles(runtimeDir, "*.dll")) { args.Add("--reference"); args.Add(dll); }
        args.Add(src);
        try
        {
            var (exit, output) = Tools.Run("dotnet", args, new Dictionary<string, string?> { ["CSBPF_TIMINGS"] = timings });
            return (exit, output, outDir);
        }
        finally { File.Delete(src); }
    }

    [Fact]
    public void Timings_list_the_phases_in_order_only_when_asked()
    {
        var (exit, output, outDir) = Compile("1");
        try
        {
            Assert.True(exit == 0, output);
            Assert.Single(Directory.GetFiles(outDir, "*.bpf.o"));
            string[] phases = ["runtime start-up", "command line", "parse", "discovery", "rule set", "C# errors of Built.Counter",
                               "libLLVM load", "lowering to IR", "LLVM optimize", "LLVM emit", "write objects"];
            var lines = output.Split('\n').Where(l => l.StartsWith("csbpfc: timing: ", StringComparison.Ordinal)).ToList();
            Assert.Equal(phases, lines.Select(l => l["csbpfc: timing: ".Length..l.LastIndexOf(" +", StringComparison.Ordinal)]));
            Assert.All(lines, l => Assert.Matches(@" \+\d+\.\d ms \(\d+\.\d ms, cpu \d+ ms\)\r?$", l));
        }
        finally { if (Directory.Exists(outDir)) Directory.Delete(outDir, true); }

        var (exit2, output2, outDir2) = Compile(null);
        try
        {
            Assert.True(exit2 == 0, output2);
            Assert.DoesNotContain("timing", output2);
        }
        finally { if (Directory.Exists(outDir2)) Directory.Delete(outDir2, true); }
    }
}
