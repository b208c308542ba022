using System.Text;
using CsBpf.TestSupport;
using Xunit.Abstractions;

namespace CsBpf.KernelMatrix.Tests;

/// <summary>
/// Every csbpfc-built object of the repository (samples and test projects, <see cref="ObjectCorpus"/>)
/// through the host kernel's verifier, one test each; runs beside the guest boot.
/// </summary>
public sealed class HostVerifierTests(ITestOutputHelper output)
{
    public static TheoryData<string> Objects()
    {
        var data = new TheoryData<string>();
        foreach (var obj in ObjectCorpus.Discover(RepoPaths.Root)) data.Add(obj.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void Object_passes_the_host_verifier(string id)
    {
        KernelEnvironment.Require();
        var result = Matrix.VerifyOnHost(ObjectCorpus.Discover(RepoPaths.Root).Single(o => o.Id == id));
        output.WriteLine($"Linux {ObjectCorpus.KernelRelease}: {result.Verdict}: {result.Detail}");
        Assert.True(result.Verdict != Verdict.Rejected, $"{id} does not load on Linux {ObjectCorpus.KernelRelease}:\n{result.Detail}");
    }
}

/// <summary>
/// The verification table: each object's outcome on the 6.1 guest (from the guest's verification-guest.tsv)
/// and on the host, written to artifacts/kernel-matrix/&lt;Configuration&gt;/verification.md and printed.
/// </summary>
[Collection(GuestCollection.Name)]
public sealed class VerificationMatrixTests(GuestRun guest, ITestOutputHelper output)
{
    [Fact]
    public void Every_object_verifies_on_every_kernel_of_the_matrix_or_declares_why_not()
    {
        KernelEnvironment.Require();
        guest.Require();
        var corpus = ObjectCorpus.Discover(RepoPaths.Root);
        Assert.True(corpus.Count > 0, $"no csbpfc objects (obj/**/csbpf/*.bpf.o) under {RepoPaths.Root}/samples or tests: is the build broken?");

        var guestFile = Path.Combine(GuestRun.ResultsDirectory, "verification-guest.tsv");
        Assert.True(File.Exists(guestFile), $"the guest wrote no {guestFile}: did CorpusTests run? see {GuestRun.ResultsDirectory}/guest.log");
        var inGuest = File.ReadAllLines(guestFile).Where(l => l.Length > 0).Select(ObjectCorpus.FromLine).ToDictionary(v => v.Id);
        var onHost = corpus.ToDictionary(o => o.Id, Matrix.VerifyOnHost);

        var table = new StringBuilder()
            .AppendLine($"| Object | Programs | Linux {guest.KernelRelease} (guest) | Linux {ObjectCorpus.KernelRelease} (host) |")
            .AppendLine("| --- | --- | --- | --- |");
        var problems = new List<string>();
        foreach (var obj in corpus)
        {
            var g = inGuest.GetValueOrDefault(obj.Id);
            var h = onHost[obj.Id];
            if (g is null) problems.Add($"{obj.Id}: the guest did not verify it (not in {guestFile})");
            foreach (var (kernel, v) in new[] { (guest.KernelRelease, g), (ObjectCorpus.KernelRelease, h) })
                if (v?.Verdict == Verdict.Rejected) problems.Add($"{obj.Id} on Linux {kernel}: {v.Detail}");
            var programs = string.Join(", ", h.Programs.Select(p => p.Split(" (")[1].TrimEnd(')')));
            table.AppendLine($"| {obj.Id} | {programs} | {Cell(g)} | {Cell(h)} |");
        }

        var path = Path.Combine(RepoPaths.Root, "artifacts", "kernel-matrix", GuestRun.Configuration, "verification.md");
        File.WriteAllText(path, table.ToString());
        output.WriteLine(table.ToString());
        output.WriteLine($"(written to {path})");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static string Cell(Verification? v) => v is null ? "not run" : v.Verdict switch
    {
        Verdict.Verified => "verified",
        Verdict.NotApplicable => "not applicable: " + v.Detail.Replace("|", "\\|"),
        _ => "**rejected**: " + v.Detail.Split(" / ")[0].Replace("|", "\\|"),
    };
}

internal static class Matrix
{
    private static readonly Lazy<KernelRequirements> s_requirements =
        new(() => KernelRequirements.Load(Path.Combine(AppContext.BaseDirectory, ObjectCorpus.RequirementsFileName)));

    public static Verification VerifyOnHost(CorpusObject obj) => ObjectCorpus.Verify(obj, s_requirements.Value, GuestRun.FixturesDirectory);
}
