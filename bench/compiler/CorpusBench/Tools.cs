using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CsBpf.Bench.Compiler;

/// <summary>The outcome of one child process.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error, double Milliseconds)
{
    public string Combined => (Output + Error).Trim();
}

/// <summary>Child processes, timed wall clock (start to exit, as a shell would see it).</summary>
internal static class Tools
{
    public static ProcessResult Run(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        Task<string> error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        watch.Stop();
        return new ProcessResult(p.ExitCode, output.Result, error.Result, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Fails early with a clear message when a required tool is missing.</summary>
    public static void Require(string tool, params string[] versionArgs)
    {
        try
        {
            Run(tool, versionArgs);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"'{tool}' is not installed (bash eng/install-prereqs.sh installs it)");
        }
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        double[] sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double GeoMean(IEnumerable<double> values)
    {
        double[] v = values.Where(x => x > 0 && !double.IsNaN(x)).ToArray();
        return v.Length == 0 ? double.NaN : Math.Exp(v.Select(x => Math.Log(x)).Average());
    }
}

/// <summary>Instruction counts of one object, from <c>llvm-objdump-19 -d</c>.</summary>
internal sealed record ObjectCode(IReadOnlyDictionary<string, int> InstructionsBySection, int Instructions, int Slots)
{
    /// <summary>Program sections (everything but .text, which holds BPF-to-BPF callees).</summary>
    public IEnumerable<string> ProgramSections => InstructionsBySection.Keys.Where(s => s != ".text");

    private static readonly Regex s_instruction = new(@"^\s*\d+:\s+\S", RegexOptions.Compiled);

    /// <summary>Counts instructions per code section. A 16-byte <c>ld_imm64</c> (printed with an <c>ll</c>
    /// suffix) is one instruction and two slots.</summary>
    public static ObjectCode Read(string objdump, string obj)
    {
        ProcessResult r = Tools.Run(objdump, ["-d", "--no-show-raw-insn", obj]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{objdump} -d {obj} failed: {r.Combined}");
        var bySection = new Dictionary<string, int>(StringComparer.Ordinal);
        string? section = null;
        int instructions = 0, slots = 0;
        foreach (string line in r.Output.Split('\n'))
        {
            if (line.StartsWith("Disassembly of section ", StringComparison.Ordinal))
            {
                section = line["Disassembly of section ".Length..].TrimEnd(':', ' ', '\r');
                bySection.TryAdd(section, 0);
            }
            else if (section is not null && s_instruction.IsMatch(line))
            {
                bySection[section]++;
                instructions++;
                slots += line.TrimEnd().EndsWith(" ll", StringComparison.Ordinal) ? 2 : 1;
            }
        }
        return new ObjectCode(bySection, instructions, slots);
    }

    /// <summary>"tracepoint ×2, kprobe": the program types, from the section names.</summary>
    public string Kinds => string.Join(", ", ProgramSections
        .Select(s => s.Split('/')[0])
        .GroupBy(k => k)
        .Select(g => g.Count() > 1 ? $"{g.Key} ×{g.Count()}" : g.Key));
}
