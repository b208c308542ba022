using System.Diagnostics;
using Xunit;

namespace CsBpf.TestSupport;

/// <summary>
/// The one place that decides what a kernel test does when the machine cannot run it: it prepares what a
/// test may prepare itself (bpffs, tracefs) and otherwise fails with the reason. Kernel tests never skip:
/// in CI (<c>CI=true</c>) a skip would hide a broken runner, and locally a failure with the cause is more
/// useful than a silent pass.
/// </summary>
public static class KernelEnvironment
{
    private static readonly Lazy<string?> s_problem = new(Prepare);

    /// <summary>True when running under CI (<c>CI=true</c>).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails the calling test unless BPF programs can be loaded and attached here.</summary>
    public static void Require()
    {
        if (s_problem.Value is { } problem)
            Assert.Fail($"Kernel test cannot run: {problem}" + (IsCi ? " (CI=true: kernel tests fail instead of skipping)" : ""));
    }

    private static string? Prepare()
    {
        if (!OperatingSystem.IsLinux()) return "BPF needs Linux";
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("CSBPF_TEST_NONROOT") != "1")
            return "BPF programs need root or CAP_BPF+CAP_PERFMON: run the tests as root";
        if (!File.Exists("/sys/kernel/btf/vmlinux")) return "the kernel has no BTF (/sys/kernel/btf/vmlinux missing)";
        if (!Directory.Exists("/sys/kernel/tracing/events") && !Mount("tracefs", "/sys/kernel/tracing"))
            return "tracefs is not mounted at /sys/kernel/tracing and mounting it failed";
        if (!IsMounted("/sys/fs/bpf") && !Mount("bpf", "/sys/fs/bpf"))
            return "bpffs is not mounted at /sys/fs/bpf and mounting it failed";
        return null;
    }

    private static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mounts").Any(l => l.Split(' ') is [_, var p, ..] && p == path);

    private static bool Mount(string type, string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mount", ["-t", type, type, path]) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
