using CsBpf.Runtime.Native;

namespace CsBpf.Runtime.Tests;

/// <summary>A missing or wrong libbpf gives <see cref="BpfNativeLibraryException"/> with the fix.</summary>
public sealed class NativeLibraryTests
{
    private const string Fix = "libbpf 1.x (libbpf.so.1) was not found: install Debian package libbpf1 (apt-get install libbpf1) or set CSBPF_LIBBPF to its path";

    [Fact]
    public void Resolver_reports_a_missing_library_with_the_fix()
    {
        // Calls the loader directly: the process-wide binding of libbpf.so.1 is not touched.
        var e = Assert.Throws<BpfNativeLibraryException>(() => LibBpfResolver.Load("/nonexistent/libbpf.so.1"));

        Assert.StartsWith(Fix, e.Message);
        Assert.Contains("/nonexistent/libbpf.so.1", e.Message);
        Assert.IsType<DllNotFoundException>(e.InnerException);
    }

    [Fact]
    public void A_fresh_process_with_CSBPF_LIBBPF_pointing_nowhere_gets_BpfNativeLibraryException()
    {
        var result = ChildProcess.Run(ChildProcess.OpenScenario,
            new Dictionary<string, string?> { ["CSBPF_LIBBPF"] = "/nonexistent/libbpf.so.1" });

        Assert.True(result.ExitCode == 0, $"child failed: {result.ExceptionType} {result.Message} {result.StandardError}");
        Assert.Equal(nameof(BpfNativeLibraryException), result.ExceptionType);
        Assert.StartsWith(Fix, result.Message);
        Assert.Contains("CSBPF_LIBBPF is set to '/nonexistent/libbpf.so.1'", result.Message);
    }

    [Fact]
    public void CSBPF_LIBBPF_pointing_at_the_real_library_works()
    {
        var result = ChildProcess.Run(ChildProcess.OpenScenario,
            new Dictionary<string, string?> { ["CSBPF_LIBBPF"] = "/usr/lib/x86_64-linux-gnu/libbpf.so.1" });

        // The library loads; the 4-byte "ELF" is then rejected by libbpf itself.
        Assert.Equal(nameof(BpfException), result.ExceptionType);
        Assert.Contains("is not a valid BPF object", result.Message);
    }

    [Fact]
    public void Only_libbpf_1_x_is_accepted()
    {
        LibBpfResolver.ValidateVersion(1, 1, "libbpf.so.1");
        var e = Assert.Throws<BpfNativeLibraryException>(() => LibBpfResolver.ValidateVersion(0, 8, "'/opt/libbpf.so.0' (CSBPF_LIBBPF)"));
        Assert.Contains("version 0.8", e.Message);
        Assert.Contains("libbpf1", e.Message);
    }

    [Fact]
    public void The_loaded_libbpf_is_1_x()
    {
        LibBpf.EnsureInitialized();
        Assert.Equal(1u, LibBpf.libbpf_major_version());
    }
}
