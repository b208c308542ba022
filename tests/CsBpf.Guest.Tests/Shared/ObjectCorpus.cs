using System.Globalization;
using CsBpf.Runtime;

namespace CsBpf.KernelMatrix;

/// <summary>
/// The kernel matrix's object corpus: every BPF object the build produced with csbpfc (each sample's and each
/// test project's <c>obj/**/csbpf/*.bpf.o</c>), loaded through the verifier with <see cref="BpfObject"/>.
/// Compiled into both CsBpf.Guest.Tests (runs in the 6.1 guest) and CsBpf.KernelMatrix.Tests (runs on the host).
/// </summary>
public static class ObjectCorpus
{
    /// <summary>The manifest of objects that need a newer kernel, next to the test assembly.</summary>
    public const string RequirementsFileName = "kernel-requirements.txt";

    /// <summary>
    /// The objects under <paramref name="repoRoot"/>: <c>samples/*/obj/**/csbpf/*.bpf.o</c> and
    /// <c>tests/*/obj/**/csbpf/*.bpf.o</c>. A project built in several configurations has several copies of an
    /// object; the newest one (the last build) stands for it.
    /// </summary>
    public static IReadOnlyList<CorpusObject> Discover(string repoRoot)
    {
        // Keyed by project and file name; the id shown in test names is "<project>/<class name>" (xunit
        // truncates long theory arguments), or "<project>/<file>" if two classes of a project share a name.
        var found = new Dictionary<(string Project, string File), FileInfo>();
        foreach (var top in new[] { "samples", "tests" })
        {
            var dir = Path.Combine(repoRoot, top);
            if (!Directory.Exists(dir)) continue;
            foreach (var project in Directory.EnumerateDirectories(dir))
            {
                var obj = Path.Combine(project, "obj");
                if (!Directory.Exists(obj)) continue;
                foreach (var file in Directory.EnumerateFiles(obj, "*.bpf.o", SearchOption.AllDirectories))
                {
                    if (Path.GetFileName(Path.GetDirectoryName(file)) != "csbpf") continue;
                    var key = (Path.GetFileName(project), Path.GetFileName(file));
                    var info = new FileInfo(file);
                    if (!found.TryGetValue(key, out var existing) || info.LastWriteTimeUtc > existing.LastWriteTimeUtc)
                        found[key] = info;
                }
            }
        }
        var objects = found.Select(p => (p.Key.Project, p.Key.File, Short: ShortName(p.Key.File), p.Value.FullName)).ToList();
        return [.. objects
            .Select(o => new CorpusObject(
                objects.Count(x => x.Project == o.Project && x.Short == o.Short) > 1 ? $"{o.Project}/{o.File}" : $"{o.Project}/{o.Short}",
                o.FullName))
            .OrderBy(o => o.Id, StringComparer.Ordinal)];
    }

    /// <summary>This kernel's release, e.g. <c>6.1.0-56-cloud-amd64</c>.</summary>
    public static string KernelRelease => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    /// <summary>This kernel's major.minor version.</summary>
    public static Version KernelVersion => ParseVersion(KernelRelease);

    /// <summary>
    /// Loads <paramref name="obj"/> into this kernel (open + <c>bpf_object__load</c>: maps created, every program
    /// through the verifier), then unloads it. An object that needs a newer kernel (per
    /// <paramref name="requirements"/>) or a program kind this kernel refuses outright is not loaded and gets
    /// <see cref="Verdict.NotApplicable"/> with the reason.
    /// </summary>
    /// <param name="obj">The object to load.</param>
    /// <param name="requirements">The minimum-kernel manifest.</param>
    /// <param name="fixturesDirectory">Where the reference C fixtures (kprobe_open.bpf.o, fentry_open.bpf.o,
    /// lsm_deny.bpf.o) are: loading one tells whether this kernel accepts that program kind at all.</param>
    public static Verification Verify(CorpusObject obj, KernelRequirements requirements, string fixturesDirectory)
    {
        var kernel = KernelVersion;
        if (requirements.Find(obj.FileName) is { } requirement && kernel < requirement.MinimumKernel)
            return new(obj.Id, Verdict.NotApplicable, $"needs Linux {requirement.MinimumKernel}+: {requirement.Reason}", []);

        string[] programs;
        try
        {
            using var probe = BpfObject.Open(File.ReadAllBytes(obj.Path), ShortName(obj));
            programs = [.. probe.Programs.Select(p => $"{p.Name} ({p.SectionName})")];
            foreach (var kind in probe.Programs.Select(p => KindOf(p.SectionName)).Distinct())
            {
                if (KernelRefuses(kind, fixturesDirectory) is { } why)
                    return new(obj.Id, Verdict.NotApplicable, $"this kernel refuses {kind} programs ({why})", programs);
            }
        }
        catch (BpfException e)
        {
            return new(obj.Id, Verdict.Rejected, "cannot be opened: " + e.Message, []);
        }

        try
        {
            using var loaded = BpfObject.Open(File.ReadAllBytes(obj.Path), ShortName(obj));
            loaded.Load();
            return new(obj.Id, Verdict.Verified, $"{programs.Length} program(s) verified", programs);
        }
        catch (BpfException e)
        {
            return new(obj.Id, Verdict.Rejected, e.Message, programs);
        }
    }

    /// <summary>The program kind a section names (its prefix: kprobe, fentry, lsm, tracepoint, ...).</summary>
    public static string KindOf(string section) => section.Split('/', 2)[0] switch
    {
        "kretprobe" => "kprobe",
        "fexit" or "fmod_ret" => "fentry",
        "tp" => "tracepoint",
        var kind => kind,
    };

    private static readonly Dictionary<string, string> s_referenceFixture = new()
    {
        ["kprobe"] = "kprobe_open.bpf.o",
        ["fentry"] = "fentry_open.bpf.o",
        ["lsm"] = "lsm_deny.bpf.o",
    };
    private static readonly Dictionary<string, string?> s_refusals = [];

    /// <summary>
    /// Null when this kernel loads the reference C fixture of <paramref name="kind"/> (or there is none, as for
    /// tracepoints, which every supported kernel has); otherwise why it does not. E.g. a kernel without BPF
    /// trampolines or without the BPF LSM rejects every fentry or LSM program, however correct.
    /// </summary>
    private static string? KernelRefuses(string kind, string fixturesDirectory)
    {
        lock (s_refusals)
        {
            if (s_refusals.TryGetValue(kind, out var cached)) return cached;
            string? refusal = null;
            if (s_referenceFixture.TryGetValue(kind, out var fixture))
            {
                var path = Path.Combine(fixturesDirectory, fixture);
                if (!File.Exists(path))
                    throw new FileNotFoundException($"The reference fixture {path} is missing: build tests/CsBpf.Guest.Tests (it compiles Fixtures/*.bpf.c with clang-19).", path);
                try
                {
                    using var reference = BpfObject.Open(File.ReadAllBytes(path), "reference");
                    reference.Load();
                }
                catch (BpfException e)
                {
                    refusal = $"the reference C program {fixture} fails to load too: {FirstLine(e.Message)}";
                }
            }
            s_refusals[kind] = refusal;
            return refusal;
        }
    }

    /// <summary>The first sentence of an error message (the runtime's messages go on with generic advice).</summary>
    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? line[..(end + 1)] : line;
    }

    private static string ShortName(CorpusObject obj) => ShortName(obj.FileName);

    /// <summary>"Samples.OpenCount.OpenCounter.bpf.o" → "OpenCounter".</summary>
    private static string ShortName(string fileName)
    {
        var name = fileName.EndsWith(".bpf.o", StringComparison.Ordinal) ? fileName[..^".bpf.o".Length] : fileName;
        return name[(name.LastIndexOf('.') + 1)..];
    }

    internal static Version ParseVersion(string text)
    {
        var parts = text.Split('.', '-');
        return new Version(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 && int.TryParse(parts[1], out var minor) ? minor : 0);
    }

    /// <summary>One line of the verification report: <c>id \t verdict \t detail</c> (tabs and newlines in the detail flattened).</summary>
    public static string ToLine(Verification v) =>
        $"{v.Id}\t{v.Verdict}\t{string.Join(" | ", v.Programs)}\t{Flatten(v.Detail)}";

    /// <summary>Parses <see cref="ToLine"/>'s output.</summary>
    public static Verification FromLine(string line)
    {
        var f = line.Split('\t');
        return new(f[0], Enum.Parse<Verdict>(f[1]), f[3], f[2].Length == 0 ? [] : f[2].Split(" | "));
    }

    private static string Flatten(string text) =>
        string.Join(" / ", text.Replace('\t', ' ').Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>An object of the corpus: <paramref name="Id"/> is <c>&lt;project&gt;/&lt;class&gt;</c>, e.g. <c>OpenCount/OpenCounter</c>.</summary>
public sealed record CorpusObject(string Id, string Path)
{
    /// <summary>The object's file name, e.g. <c>Samples.OpenCount.OpenCounter.bpf.o</c>.</summary>
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>What loading an object into one kernel gave.</summary>
public enum Verdict
{
    /// <summary>Every program passed the verifier.</summary>
    Verified,
    /// <summary>Not loaded: the object needs a newer kernel (manifest) or a program kind this kernel refuses.</summary>
    NotApplicable,
    /// <summary>The load failed: a verifier rejection or another load error. Fails the test run.</summary>
    Rejected,
}

/// <summary>The outcome of <see cref="ObjectCorpus.Verify"/>.</summary>
public sealed record Verification(string Id, Verdict Verdict, string Detail, string[] Programs);

/// <summary>One manifest entry: <paramref name="ObjectFileName"/> needs Linux <paramref name="MinimumKernel"/>+.</summary>
public sealed record KernelRequirement(string ObjectFileName, Version MinimumKernel, string Reason);

/// <summary>
/// kernel-requirements.txt: objects that only load on newer kernels, one per line:
/// <c>&lt;object file name&gt; &lt;minimum kernel, e.g. 6.6&gt; &lt;reason&gt;</c>; '#' starts a comment.
/// </summary>
public sealed class KernelRequirements
{
    private readonly Dictionary<string, KernelRequirement> _entries;

    private KernelRequirements(Dictionary<string, KernelRequirement> entries) => _entries = entries;

    /// <summary>The entries, by object file name.</summary>
    public IReadOnlyCollection<KernelRequirement> Entries => _entries.Values;

    /// <summary>The entry for <paramref name="objectFileName"/>, if any.</summary>
    public KernelRequirement? Find(string objectFileName) => _entries.GetValueOrDefault(objectFileName);

    /// <summary>Reads the manifest; a malformed line throws with its number.</summary>
    public static KernelRequirements Load(string path)
    {
        var entries = new Dictionary<string, KernelRequirement>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0) continue;
            var fields = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !fields[0].EndsWith(".bpf.o", StringComparison.Ordinal) || !Version.TryParse(fields[1], out var version))
                throw new FormatException($"{path}({number}): expected '<object>.bpf.o <minimum kernel, e.g. 6.6> <reason>', got '{raw}'");
            entries[fields[0]] = new(fields[0], version, fields[2]);
        }
        return new(entries);
    }
}
