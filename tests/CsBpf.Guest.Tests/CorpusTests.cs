using CsBpf.KernelMatrix;
using CsBpf.TestSupport;
using Xunit.Abstractions;

namespace CsBpf.Guest.Tests;

/// <summary>
/// Every csbpfc-built object in the repository loaded through this (guest) kernel's verifier. The outcome of
/// each is appended to verification-guest.tsv in the results share, which the host merges with its own
/// (CsBpf.KernelMatrix.Tests) into the kernel matrix table.
/// </summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    public static TheoryData<string> Objects()
    {
        var data = new TheoryData<string>();
        foreach (var obj in ObjectCorpus.Discover(RepoPaths.Root)) data.Add(obj.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void Object_passes_the_verifier(string id)
    {
        KernelEnvironment.Require();
        var obj = ObjectCorpus.Discover(RepoPaths.Root).Single(o => o.Id == id);
        var requirements = KernelRequirements.Load(Path.Combine(AppContext.BaseDirectory, ObjectCorpus.RequirementsFileName));
        var result = ObjectCorpus.Verify(obj, requirements, GuestPrograms.FixturesDirectory);
        output.WriteLine($"Linux {ObjectCorpus.KernelRelease}: {result.Verdict}: {result.Detail}");

        if (Environment.GetEnvironmentVariable("CSBPF_GUEST_RESULTS") is { Length: > 0 } results)
            lock (typeof(CorpusTests))
                File.AppendAllLines(Path.Combine(results, "verification-guest.tsv"), [ObjectCorpus.ToLine(result)]);

        Assert.True(result.Verdict != Verdict.Rejected, $"{id} does not load on Linux {ObjectCorpus.KernelRelease}:\n{result.Detail}");
    }
}
