using Samples.OpenCount;
using CsBpf.TestSupport;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The vertical slice: the sample was built by dotnet build (csbpfc ran, the object is embedded, the loader
/// generated); here its program is loaded into the live kernel, attached, and observed through the typed map.
/// </summary>
public class OpenCountSampleTests
{
    [Fact]
    public void Sample_object_is_embedded_under_the_generated_resource_name()
    {
        Assert.Contains(OpenCounter.BpfObjectResourceName, typeof(OpenCounter).Assembly.GetManifestResourceNames());
        Assert.Equal("Samples.OpenCount.OpenCounter.bpf.o", OpenCounter.BpfObjectResourceName);
    }

    [Fact]
    public void Counts_this_process_openat_calls_in_the_kernel()
    {
        KernelEnvironment.Require();
        using var bpf = OpenCounter.Load();
        bpf.AttachAll();

        const int N = 25;
        string path = Path.GetTempFileName();
        try
        {
            for (int i = 0; i < N; i++)
                using (File.OpenRead(path)) { }
        }
        finally { File.Delete(path); }

        uint pid = (uint)Environment.ProcessId;
        Assert.True(bpf.Opens.TryGetValue(pid, out OpenStats stats), $"no entry for pid {pid}; map has {bpf.Opens.Count} entries");
        Assert.True(stats.Count >= N, $"count {stats.Count} < {N}");
        // The comm recorded by bpf_get_current_comm is a thread of this process.
        Assert.False(string.IsNullOrEmpty(stats.Comm.ToString()));
        // Enumeration sees the same entry.
        Assert.Contains(bpf.Opens, e => e.Key == pid && e.Value.Count >= N);
    }

    [Fact]
    public void Same_program_runs_on_the_CLR_against_the_simulated_map()
    {
        // The BPF method is ordinary C#: call it directly (no kernel), via reflection since it is private.
        var method = typeof(OpenCounter).GetMethod("OnOpenat", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        for (int i = 0; i < 3; i++) Assert.Equal(0, method.Invoke(null, [default(CsBpf.TracepointContext)]));
        var field = typeof(OpenCounter).GetField("Opens", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var map = (CsBpf.HashMap<uint, OpenStats>)field.GetValue(null)!;
        Assert.True(map.TryGetValue((uint)Environment.ProcessId, out OpenStats stats));
        Assert.Equal(3UL, stats.Count);
    }
}
