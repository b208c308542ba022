using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using CsBpf.Bench.Compiler;

// CorpusBench: the compiler benchmark (run it through bench/compiler/run.sh, which builds what it needs).
// For every pair bench/compiler/corpus/<name>.cs + <name>.bpf.c:
//   1. cold compile latency: one `dotnet exec csbpfc.dll` process per compile vs one clang-19 process;
//   2. warm compile latency: BpfCompiler.Compile repeated in this process (after a warm-up);
//   3. instruction counts (llvm-objdump-19 -d) of both objects;
//   4. both objects loaded through the verifier (bpftool prog loadall): verified_insns per program;
// then the table, the geometric means and the goal check go to stdout, to <out>/results.json and to the
// "## Compiler" section of bench/RESULTS.md (the rest of that file is left alone).
// Exit code: 0 when everything compiled and loaded, 2 when some object failed to compile or load (the
// results are written anyway), 1 on a usage or environment error.

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
try
{
    // `CorpusBench verify <obj>...`: load each object and print verified_insns per program (a debugging aid).
    if (args is ["verify", .. var objects])
    {
        string pins = $"/sys/fs/bpf/csbpf-corpus-bench-{Environment.ProcessId}";
        Directory.CreateDirectory(pins);
        try
        {
            foreach (string obj in objects)
            {
                LoadResult r = Verifier.Load("bpftool", Path.GetFullPath(obj), Path.Combine(pins, "p"), Path.GetFullPath(obj) + ".verifier.log");
                Console.WriteLine(r.Loaded
                    ? $"{obj}: {r.VerifiedInstructions} ({string.Join(", ", r.Programs.Select(p => $"{p.Name} {p.VerifiedInstructions}"))})"
                    : $"{obj}: rejected: {r.Failure}");
            }
        }
        finally { Directory.Delete(pins, recursive: true); }
        return 0;
    }
    return Bench.Run(BenchOptions.Parse(args));
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"corpus-bench: error: {e.Message}");
    return 1;
}

internal sealed class BenchOptions
{
    public string Repo { get; private set; } = Directory.GetCurrentDirectory();
    public string Cpu { get; private set; } = "v3";
    public int ColdRuns { get; private set; } = 3;
    public int WarmRuns { get; private set; } = 10;
    public int ClangRuns { get; private set; } = 10;
    public string? OutDirectory { get; private set; }
    public string? ResultsPath { get; private set; }
    public bool WriteResults { get; private set; } = true;
    public string Command { get; private set; } = "bash bench/compiler/run.sh";
    public HashSet<string>? Only { get; private set; }
    public string Clang { get; private set; } = "clang-19";
    public string ObjDump { get; private set; } = "llvm-objdump-19";
    public string BpfTool { get; private set; } = "bpftool";

    public string Corpus => Path.Combine(Repo, "bench", "compiler", "corpus");
    public string Out => OutDirectory ?? Path.Combine(Repo, "bench", "compiler", "out");
    public string Results => ResultsPath ?? Path.Combine(Repo, "bench", "RESULTS.md");
    /// <summary>The csbpfc builds run: the ReadyToRun copy when the compiler project made it (CsBpfReadyToRun,
    /// the default), the IL one otherwise.</summary>
    public string Csbpfc => File.Exists(ReadyToRunCsbpfc) ? ReadyToRunCsbpfc : Path.Combine(Repo, "compiler", "CsBpf.Compiler.Cli", "bin", "Release", "net10.0", "csbpfc.dll");
    private string ReadyToRunCsbpfc => Path.Combine(Repo, "compiler", "CsBpf.Compiler.Cli", "bin", "Release", "net10.0", "readytorun", "csbpfc.dll");
    public string CsBpfDll => Path.Combine(Repo, "runtime", "CsBpf", "bin", "Release", "net10.0", "CsBpf.dll");

    /// <summary>The clang command line, minus input and output.</summary>
    public string[] ClangArgs =>
        ["-O2", "-g", "-target", "bpf", $"-mcpu={Cpu}", "-D__TARGET_ARCH_x86", "-I/usr/include/x86_64-linux-gnu", "-c"];

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Count() => int.TryParse(Value(), out int n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive number");
            switch (args[i])
            {
                case "--repo": o.Repo = Path.GetFullPath(Value()); break;
                case "--cpu": o.Cpu = Value(); break;
                case "--cold-runs": o.ColdRuns = Count(); break;
                case "--warm-runs": o.WarmRuns = Count(); break;
                case "--clang-runs": o.ClangRuns = Count(); break;
                case "--out": o.OutDirectory = Path.GetFullPath(Value()); break;
                case "--results": o.ResultsPath = Path.GetFullPath(Value()); break;
                case "--no-results": o.WriteResults = false; break;
                case "--command": o.Command = Value(); break;
                case "--only": o.Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (o.Cpu is not ("v1" or "v2" or "v3" or "v4")) throw new ArgumentException("--cpu must be v1, v2, v3 or v4");
        return o;
    }
}

/// <summary>Everything measured for one corpus pair.</summary>
internal sealed class Entry(string name, string csPath, string cPath)
{
    public string Name { get; } = name;
    public string CsPath { get; } = csPath;
    public string CPath { get; } = cPath;
    public string? OurObject { get; set; }
    public string? OurError { get; set; }
    public string? ClangObject { get; set; }
    public string? ClangError { get; set; }
    public List<double> ColdMs { get; } = [];
    public List<double> WarmMs { get; set; } = [];
    public List<double> ClangMs { get; } = [];
    public bool? WarmObjectIdentical { get; set; }
    public ObjectCode? Ours { get; set; }
    public ObjectCode? Clang { get; set; }
    public LoadResult? OurLoad { get; set; }
    public LoadResult? ClangLoad { get; set; }

    public double? InsnRatio => Ours is { } o && Clang is { } c && c.Instructions > 0 ? (double)o.Instructions / c.Instructions : null;
    public double? VerifiedRatio => OurLoad is { Loaded: true } o && ClangLoad is { Loaded: true } c && c.VerifiedInstructions > 0
        ? (double)o.VerifiedInstructions / c.VerifiedInstructions : null;
}

internal static class Bench
{
    public static int Run(BenchOptions o)
    {
        Tools.Require(o.Clang, "--version");
        Tools.Require(o.ObjDump, "--version");
        Tools.Require(o.BpfTool, "version");
        if (!File.Exists(o.Csbpfc)) throw new InvalidOperationException($"{o.Csbpfc} not found: dotnet build compiler/CsBpf.Compiler.Cli -c Release");
        if (!File.Exists(o.CsBpfDll)) throw new InvalidOperationException($"{o.CsBpfDll} not found: dotnet build runtime/CsBpf -c Release");
        if (!Directory.Exists("/sys/fs/bpf")) throw new InvalidOperationException("bpffs is not mounted at /sys/fs/bpf (bash eng/mount-kernel-fs.sh)");

        var entries = Directory.EnumerateFiles(o.Corpus, "*.cs")
            .Select(cs => (Name: Path.GetFileNameWithoutExtension(cs), Cs: cs))
            .Where(x => o.Only is null || o.Only.Contains(x.Name))
            .OrderBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => new Entry(x.Name, x.Cs, Path.Combine(o.Corpus, x.Name + ".bpf.c")))
            .ToList();
        foreach (Entry e in entries.Where(e => !File.Exists(e.CPath)))
            throw new InvalidOperationException($"{e.CsPath} has no C twin {e.CPath}");
        if (entries.Count == 0) throw new InvalidOperationException($"no corpus programs in {o.Corpus}");

        Directory.CreateDirectory(o.Out);
        string frameworkDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        string[] references = [o.CsBpfDll, .. Directory.EnumerateFiles(frameworkDirectory, "*.dll").Order(StringComparer.Ordinal)];
        DateTime started = DateTime.UtcNow;
        string loadAverage = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
        Console.WriteLine($"corpus-bench: {entries.Count} programs, cpu {o.Cpu}, cold runs {o.ColdRuns}, warm runs {o.WarmRuns}, clang runs {o.ClangRuns}");

        // 1. Cold: separate processes. csbpfc exactly as a build would call it (sources and references).
        foreach (Entry e in entries)
        {
            string dir = Path.Combine(o.Out, e.Name);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            string csOut = Path.Combine(dir, "csbpfc");
            Directory.CreateDirectory(csOut);
            string[] csArgs = ["exec", o.Csbpfc, "--out", csOut, "--cpu", o.Cpu, .. references.SelectMany(r => new[] { "--reference", r }), e.CsPath];
            for (int i = 0; i < o.ColdRuns; i++)
            {
                ProcessResult r = Tools.Run("dotnet", csArgs);
                if (r.ExitCode != 0)
                {
                    e.OurError = FirstLine(r.Combined);
                    break;
                }
                e.ColdMs.Add(r.Milliseconds);
            }
            if (e.OurError is null)
            {
                string[] objects = Directory.GetFiles(csOut, "*.bpf.o");
                if (objects.Length != 1) e.OurError = $"csbpfc wrote {objects.Length} objects, expected 1";
                else e.OurObject = objects[0];
            }

            string clangObject = Path.Combine(dir, e.Name + ".clang.o");
            for (int i = 0; i < o.ClangRuns; i++)
            {
                ProcessResult r = Tools.Run(o.Clang, [.. o.ClangArgs, e.CPath, "-o", clangObject]);
                if (r.ExitCode != 0)
                {
                    e.ClangError = FirstLine(r.Combined);
                    break;
                }
                e.ClangMs.Add(r.Milliseconds);
            }
            if (e.ClangError is null) e.ClangObject = clangObject;
            Console.WriteLine($"  {e.Name,-16} csbpfc cold {Show(Tools.Median(e.ColdMs)),8} ms   clang {Show(Tools.Median(e.ClangMs)),7} ms" +
                (e.OurError is not null ? $"   C# FAILED: {e.OurError}" : "") + (e.ClangError is not null ? $"   C FAILED: {e.ClangError}" : ""));
        }

        // 2. Warm: one process (this one). Warm up on the whole corpus first, so JIT tiering is not charged to
        // the first programs, then time each program.
        var warm = new WarmCompiler(references, o.Cpu);
        List<Entry> compiled = entries.Where(e => e.OurError is null).ToList();
        for (int round = 0; round < 3; round++)
            foreach (Entry e in compiled) warm.Compile(e.CsPath);
        foreach (Entry e in compiled)
        {
            var (times, last) = warm.Time(e.CsPath, o.WarmRuns);
            e.WarmMs = times;
            byte[]? elf = last.Objects.Length == 1 ? last.Objects[0].Elf : null;
            e.WarmObjectIdentical = elf is not null && File.ReadAllBytes(e.OurObject!).AsSpan().SequenceEqual(elf);
            if (elf is not null && e.WarmObjectIdentical == false) File.WriteAllBytes(Path.Combine(o.Out, e.Name, "warm.bpf.o"), elf);
        }

        // 3. Code size, and disassemblies with source lines for diagnosis.
        foreach (Entry e in entries)
        {
            string dir = Path.Combine(o.Out, e.Name);
            if (e.OurObject is not null)
            {
                e.Ours = ObjectCode.Read(o.ObjDump, e.OurObject);
                File.WriteAllText(Path.Combine(dir, "csharp.dis.txt"), Tools.Run(o.ObjDump, ["-d", "-l", "--no-show-raw-insn", e.OurObject]).Output);
            }
            if (e.ClangObject is not null)
            {
                e.Clang = ObjectCode.Read(o.ObjDump, e.ClangObject);
                File.WriteAllText(Path.Combine(dir, "c.dis.txt"), Tools.Run(o.ObjDump, ["-d", "-l", "--no-show-raw-insn", e.ClangObject]).Output);
            }
        }

        // 4. The verifier.
        string pins = $"/sys/fs/bpf/csbpf-corpus-bench-{Environment.ProcessId}";
        try
        {
            Directory.CreateDirectory(pins);
            foreach (Entry e in entries)
            {
                string dir = Path.Combine(o.Out, e.Name);
                if (e.OurObject is not null)
                    e.OurLoad = Verifier.Load(o.BpfTool, e.OurObject, Path.Combine(pins, "cs"), Path.Combine(dir, "csharp.verifier.log"));
                if (e.ClangObject is not null)
                    e.ClangLoad = Verifier.Load(o.BpfTool, e.ClangObject, Path.Combine(pins, "c"), Path.Combine(dir, "c.verifier.log"));
            }
        }
        finally
        {
            if (Directory.Exists(pins)) Directory.Delete(pins, recursive: true);
        }

        var report = new Report(o, entries, started, loadAverage);
        string section = report.Markdown();
        Console.WriteLine();
        Console.WriteLine(section);
        File.WriteAllText(Path.Combine(o.Out, "results.json"), report.Json());
        if (o.WriteResults)
        {
            Report.ReplaceSection(o.Results, section);
            Console.WriteLine($"corpus-bench: wrote the \"Compiler\" section of {o.Results}");
        }
        Console.WriteLine($"corpus-bench: objects, disassemblies (-d -l) and verifier logs in {o.Out}");

        bool allGood = entries.All(e => e.OurLoad is { Loaded: true } && e.ClangLoad is { Loaded: true });
        if (!allGood) Console.WriteLine("corpus-bench: some objects failed to compile or load (see the table)");
        return allGood ? 0 : 2;
    }

    private static string FirstLine(string text) => text.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim() ?? text.Split('\n')[0].Trim();

    internal static string Show(double ms) => double.IsNaN(ms) ? "-" : ms.ToString(ms >= 100 ? "F0" : "F1");
}

/// <summary>The markdown section and the JSON dump.</summary>
internal sealed class Report(BenchOptions options, List<Entry> entries, DateTime started, string loadAverage)
{
    private const string Heading = "## Compiler";

    public string Markdown()
    {
        var md = new System.Text.StringBuilder();
        void Line(string s = "") => md.Append(s).Append('\n');

        Line(Heading);
        Line();
        Line($"Generated by `{options.Command}` on {started:yyyy-MM-dd HH:mm} UTC, at commit {Git("rev-parse", "--short", "HEAD")}{(Git("status", "--porcelain", "--", "compiler", "runtime/CsBpf").Length > 0 ? " with uncommitted compiler/runtime changes" : "")}.");
        Line($"Machine: {Environment.ProcessorCount} cores ({CpuModel()}), Linux {Uname()}, load average {loadAverage} at the start. BPF cpu `{options.Cpu}` for both compilers. " +
             $"{FirstLine(Tools.Run(options.Clang, ["--version"]).Output)}; csbpfc on .NET {Environment.Version} with libLLVM 19 (O2).");
        Line();
        Line($"Corpus: {entries.Count} programs in `bench/compiler/corpus/`, each written in C# (`<name>.cs`) and in equivalent libbpf-style C " +
             "(`<name>.bpf.c`: same maps, key and value types, same logic). C: `clang-19 " + string.Join(' ', options.ClangArgs) + " <name>.bpf.c`.");
        Line();
        Line("### Code size and verifier cost");
        Line();
        Line("| program | program types | insns C# | insns C | ratio | verified C# | verified C | ratio |");
        Line("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (Entry e in entries)
        {
            string kinds = (e.Ours ?? e.Clang)?.Kinds ?? "?";
            Line($"| {e.Name} | {kinds} | {Count(e.Ours?.Instructions, e.OurError)} | {Count(e.Clang?.Instructions, e.ClangError)} | {Ratio(e.InsnRatio)} " +
                 $"| {Verified(e.OurLoad, e.OurError)} | {Verified(e.ClangLoad, e.ClangError)} | {Ratio(e.VerifiedRatio)} |");
        }
        double insnGeo = Tools.GeoMean(entries.Select(e => e.InsnRatio ?? double.NaN));
        double verGeo = Tools.GeoMean(entries.Select(e => e.VerifiedRatio ?? double.NaN));
        Entry? insnMax = entries.Where(e => e.InsnRatio is not null).MaxBy(e => e.InsnRatio);
        Entry? verMax = entries.Where(e => e.VerifiedRatio is not null).MaxBy(e => e.VerifiedRatio);
        int insnPairs = entries.Count(e => e.InsnRatio is not null), verPairs = entries.Count(e => e.VerifiedRatio is not null);
        Line($"| **geomean** | | | | **{Ratio(insnGeo)}** | | | **{Ratio(verGeo)}** |");
        Line();
        Line("insns: instructions in all code sections (`llvm-objdump-19 -d`; a 16-byte `ld_imm64` counts once). " +
             "verified: `verified_insns` of each program (BPF_OBJ_GET_INFO_BY_FD) after `bpftool prog loadall`, summed over the object. " +
             "ratio: C# / C, lower is better.");
        Line();
        string[] failures = entries.SelectMany(e => new[]
        {
            e.OurError is not null ? $"{e.Name} (C#) does not compile: {e.OurError}" : null,
            e.ClangError is not null ? $"{e.Name} (C) does not compile: {e.ClangError}" : null,
            e.OurLoad is { Loaded: false } ol ? $"{e.Name} (C#) is rejected by the verifier: `{ol.Failure}`" : null,
            e.ClangLoad is { Loaded: false } cl ? $"{e.Name} (C) is rejected by the verifier: `{cl.Failure}`" : null,
        }).OfType<string>().ToArray();
        int over110 = entries.Count(e => e.InsnRatio > 1.10 || e.VerifiedRatio > 1.10);
        int over100 = entries.Count(e => e.InsnRatio > 1.00 || e.VerifiedRatio > 1.00);
        Line($"- Geometric mean of the ratios: instructions **{Ratio(insnGeo)}** ({insnPairs} pairs), verified instructions **{Ratio(verGeo)}** ({verPairs} pairs).");
        Line($"- Largest ratio: instructions {Ratio(insnMax?.InsnRatio)} ({insnMax?.Name}), verified {Ratio(verMax?.VerifiedRatio)} ({verMax?.Name}).");
        Line($"- Programs above 1.00 on either ratio: {over100} of {entries.Count}; above 1.10: {over110}.");
        bool met = failures.Length == 0 && insnGeo <= 1.0 && verGeo <= 1.0 && over110 == 0;
        Line($"- Goal (geomean ≤ 1.00 for both ratios, no program above 1.10, everything loads): **{(met ? "met" : "not met")}**.");
        Line($"- Every object loads through the verifier on this kernel: **{(failures.Length == 0 ? "yes" : "no")}**.");
        foreach (string f in failures) Line($"  - {f}");
        bool allIdentical = entries.Where(e => e.WarmObjectIdentical is not null).All(e => e.WarmObjectIdentical == true);
        Line($"- The in-process (warm) compiles produce the same bytes as csbpfc: {(allIdentical ? "yes" : "no: " + string.Join(", ", entries.Where(e => e.WarmObjectIdentical == false).Select(e => e.Name)))}.");
        Line();

        Line("### Compile latency");
        Line();
        Line("| program | csbpfc cold (ms) | csbpfc warm (ms) | clang-19 (ms) | cold / clang | warm / clang |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (Entry e in entries)
        {
            double cold = Tools.Median(e.ColdMs), warm = Tools.Median(e.WarmMs), clang = Tools.Median(e.ClangMs);
            Line($"| {e.Name} | {Bench.Show(cold)} | {Bench.Show(warm)} | {Bench.Show(clang)} | {Times(cold / clang)} | {Times(warm / clang)} |");
        }
        double gCold = Tools.GeoMean(entries.Select(e => Tools.Median(e.ColdMs)));
        double gWarm = Tools.GeoMean(entries.Select(e => Tools.Median(e.WarmMs)));
        double gClang = Tools.GeoMean(entries.Select(e => Tools.Median(e.ClangMs)));
        Line($"| **geomean** | **{Bench.Show(gCold)}** | **{Bench.Show(gWarm)}** | **{Bench.Show(gClang)}** | **{Times(gCold / gClang)}** | **{Times(gWarm / gClang)}** |");
        Line();
        Line($"Medians. cold: one `dotnet exec {Path.GetRelativePath(options.Repo, options.Csbpfc)} --out <dir> --cpu {options.Cpu} --reference CsBpf.dll --reference <each framework dll> <name>.cs` " +
             $"process per compile (.NET start-up, Roslyn, libLLVM load, O2, emit), {options.ColdRuns} runs. " +
             $"warm: `BpfCompiler.Compile` repeated in one process after a warm-up over the corpus (each compile reads and parses the file, " +
             $"creates a new CSharpCompilation, binds, lowers, runs O2 and emits; only the metadata references are reused), {options.WarmRuns} runs. " +
             $"clang-19: one process per compile, {options.ClangRuns} runs (clang has no warm mode).");
        Line();
        // Hand-measured notes on cold start (IL against ReadyToRun, bench/compiler/cold-start.sh), kept across runs.
        string coldStart = Path.Combine(options.Repo, "bench", "compiler", "cold-start.md");
        if (File.Exists(coldStart))
        {
            foreach (string l in File.ReadAllText(coldStart).Replace("\r\n", "\n").TrimEnd().Split('\n')) Line(l);
            Line();
        }

        string diagnoses = Path.Combine(options.Repo, "bench", "compiler", "diagnoses.md");
        if (File.Exists(diagnoses))
        {
            Line("### Why ours is bigger");
            Line();
            foreach (string l in File.ReadAllText(diagnoses).Replace("\r\n", "\n").TrimEnd().Split('\n')) Line(l);
            Line();
        }
        return md.ToString();
    }

    public string Json() => JsonSerializer.Serialize(entries.Select(e => new
    {
        e.Name,
        CSharpInstructions = e.Ours?.Instructions,
        CInstructions = e.Clang?.Instructions,
        CSharpSlots = e.Ours?.Slots,
        CSlots = e.Clang?.Slots,
        CSharpSections = e.Ours?.InstructionsBySection,
        CSections = e.Clang?.InstructionsBySection,
        CSharpVerified = e.OurLoad?.Programs,
        CVerified = e.ClangLoad?.Programs,
        CSharpLoadFailure = e.OurLoad?.Failure,
        CLoadFailure = e.ClangLoad?.Failure,
        e.OurError,
        e.ClangError,
        e.InsnRatio,
        e.VerifiedRatio,
        e.ColdMs,
        e.WarmMs,
        e.ClangMs,
        e.WarmObjectIdentical,
    }), new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Replaces the "## Compiler" section (up to the next level-2 heading) or appends it.</summary>
    public static void ReplaceSection(string path, string section)
    {
        string existing = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : "# Benchmark results\n";
        List<string> lines = existing.Split('\n').ToList();
        List<string> replacement = section.TrimEnd('\n').Split('\n').ToList();
        int start = lines.FindIndex(l => l.TrimEnd() == Heading);
        if (start < 0)
        {
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            lines.Add("");
            lines.AddRange(replacement);
            lines.Add("");
        }
        else
        {
            int end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
            if (end < 0)
            {
                end = lines.Count;
                replacement.Add("");
            }
            else replacement.Add("");
            lines.RemoveRange(start, end - start);
            lines.InsertRange(start, replacement);
        }
        string text = string.Join('\n', lines);
        if (!text.EndsWith('\n')) text += "\n";
        File.WriteAllText(path, text);
    }

    private static string Count(int? n, string? error) => error is not null ? "compile error" : n?.ToString() ?? "-";
    private static string Verified(LoadResult? r, string? error) =>
        error is not null ? "-" : r is null ? "-" : r.Loaded ? r.VerifiedInstructions.ToString() : "**rejected**";
    private static string Ratio(double? r) => r is double v && !double.IsNaN(v) ? v.ToString("F3") : "-";
    private static string Times(double r) => double.IsNaN(r) || double.IsInfinity(r) ? "-" : r.ToString(r >= 10 ? "F0" : "F1") + "×";
    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    private string Git(params string[] args)
    {
        try
        {
            ProcessResult r = Tools.Run("git", ["-C", options.Repo, .. args]);
            return r.ExitCode == 0 ? r.Output.Trim() : "";
        }
        catch (System.ComponentModel.Win32Exception) { return ""; }
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown CPU"; }
    }

    private static string Uname()
    {
        try { return File.ReadAllText("/proc/sys/kernel/osrelease").Trim(); }
        catch (IOException) { return "?"; }
    }
}
