using CsBpf.Runtime;

namespace CsBpf.Benchmarks;

/// <summary>Where the native build is, and the benchmark BPF object.</summary>
internal static class BenchEnvironment
{
    /// <summary>Environment variable overriding the directory of bench/native/build.</summary>
    public const string NativeDirectoryVariable = "CSBPF_BENCH_NATIVE";

    /// <summary>bench/native/build (from <c>CSBPF_BENCH_NATIVE</c>, or found above the executable).</summary>
    public static string NativeDirectory { get; } = FindNativeDirectory();

    /// <summary>Opens and loads bench/native/build/bench.bpf.o.</summary>
    public static BpfObject LoadObject()
    {
        var obj = BpfObject.Open(File.ReadAllBytes(Path.Combine(NativeDirectory, "bench.bpf.o")), "bench");
        obj.Load();
        return obj;
    }

    private static string FindNativeDirectory()
    {
        if (Environment.GetEnvironmentVariable(NativeDirectoryVariable) is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "native", "build");
            if (File.Exists(Path.Combine(candidate, "bench.bpf.o"))) return candidate;
        }
        throw new InvalidOperationException($"bench/native/build not found: run bench/native/build.sh first (or set {NativeDirectoryVariable}).");
    }
}
