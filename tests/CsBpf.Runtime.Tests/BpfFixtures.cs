using System.Collections.Concurrent;
using System.Diagnostics;

namespace CsBpf.Runtime.Tests;

/// <summary>
/// Compiles the BPF C programs under <c>Fixtures/</c> with clang-19 (once per test run) and returns the ELF
/// bytes. These stand in for the CsBpf compiler's output while it is being written.
/// </summary>
internal static class BpfFixtures
{
    private const string Clang = "/usr/bin/clang-19";
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> s_cache = new();
    private static readonly Lazy<string> s_outputDirectory = new(CreateOutputDirectory);

    /// <summary>The compiled object of <c>Fixtures/&lt;name&gt;.bpf.c</c>.</summary>
    public static byte[] Compile(string name) => s_cache.GetOrAdd(name, n => new Lazy<byte[]>(() => CompileNow(n))).Value;

    private static string CreateOutputDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("csbpf-runtime-fixtures-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        };
        return directory;
    }

    private static byte[] CompileNow(string name)
    {
        if (!File.Exists(Clang))
            Assert.Fail($"{Clang} is needed to compile the BPF test fixtures: install Debian package clang-19 (apt-get install clang-19).");
        var source = Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".bpf.c");
        Assert.True(File.Exists(source), $"fixture source {source} is missing");
        var output = Path.Combine(s_outputDirectory.Value, name + ".bpf.o");
        var psi = new ProcessStartInfo(Clang,
            ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I/usr/include/x86_64-linux-gnu", "-c", source, "-o", output])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var clang = Process.Start(psi)!;
        var stderr = clang.StandardError.ReadToEndAsync();
        clang.StandardOutput.ReadToEnd();
        clang.WaitForExit();
        if (clang.ExitCode != 0)
            Assert.Fail($"clang-19 failed to compile {source} (exit {clang.ExitCode}):\n{stderr.Result}");
        return File.ReadAllBytes(output);
    }
}
