using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using CsBpf.TestSupport;

namespace CsBpf.KernelMatrix.Tests;

/// <summary>
/// Boots the 6.1 guest once for the whole collection (eng/vm/run-guest.sh) and runs the guest test assembly
/// in it with <c>dotnet test</c>, then parses its TRX. A VM that cannot run (no qemu, no kernel package, a
/// boot failure, a timeout) is recorded in <see cref="Problem"/>, and every test of the collection fails with
/// it: kernel tests never skip.
/// </summary>
public sealed class GuestRun
{
    /// <summary>Hard limit for the VM (boot + dotnet test): a TCG run takes 40–90 s, so this only catches hangs.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public GuestRun()
    {
        var started = Stopwatch.StartNew();
        try
        {
            Problem = Run();
        }
        catch (Exception e)
        {
            Problem = $"running the guest failed: {e}";
        }
        Elapsed = started.Elapsed;
    }

    /// <summary>The build configuration of this assembly, which is also the guest assembly's.</summary>
    public static string Configuration =>
        typeof(GuestRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>tests/CsBpf.Guest.Tests/bin/&lt;Configuration&gt;/net10.0/CsBpf.Guest.Tests.dll, built through the ProjectReference.</summary>
    public static string GuestAssembly =>
        Path.Combine(RepoPaths.Root, "tests", "CsBpf.Guest.Tests", "bin", Configuration, "net10.0", "CsBpf.Guest.Tests.dll");

    /// <summary>Where the guest assembly's C fixtures were compiled.</summary>
    public static string FixturesDirectory => Path.Combine(Path.GetDirectoryName(GuestAssembly)!, "fixtures");

    /// <summary>artifacts/kernel-matrix/&lt;Configuration&gt;/guest: the VM's results share (console.log, guest.log, guest.trx, ...).</summary>
    public static string ResultsDirectory => Path.Combine(RepoPaths.Root, "artifacts", "kernel-matrix", Configuration, "guest");

    /// <summary>Why the guest results are missing, or null when the guest ran its tests.</summary>
    public string? Problem { get; }

    /// <summary>How long booting and running the guest took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>run-guest.sh's own output (kernel, accelerator, timing).</summary>
    public string RunnerLog { get; private set; } = "";

    /// <summary>Each guest test result, from the TRX.</summary>
    public IReadOnlyList<GuestResult> Results { get; private set; } = [];

    /// <summary>The guest kernel's release (<c>uname -r</c> in the guest, written by its init to the results share).</summary>
    public string KernelRelease { get; private set; } = "?";

    /// <summary>Fails the calling test when the guest did not run.</summary>
    public void Require()
    {
        if (Problem is not null)
            Assert.Fail($"The 6.1 guest did not run the tests: {Problem}" + (KernelEnvironment.IsCi ? " (CI=true: kernel tests fail instead of skipping)" : ""));
    }

    private string? Run()
    {
        if (!OperatingSystem.IsLinux()) return "the VM runner needs Linux";
        if (Environment.UserName != "root") return "the VM runner needs root (virtiofsd exports / and loads in the guest run as root): run the tests as root";
        if (!File.Exists(GuestAssembly))
            return $"{GuestAssembly} is missing: build tests/CsBpf.KernelMatrix.Tests (its ProjectReference builds CsBpf.Guest.Tests) in {Configuration}";

        if (Directory.Exists(ResultsDirectory)) Directory.Delete(ResultsDirectory, recursive: true);
        Directory.CreateDirectory(ResultsDirectory);

        // The guest runs this machine's own dotnet on the already-built dll: no build inside the guest.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var script = Path.Combine(RepoPaths.Root, "eng", "vm", "run-guest.sh");
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in (string[])[script, "--results", ResultsDirectory, "--timeout", ((int)Timeout.TotalSeconds).ToString(),
                     "--", dotnet, "test", GuestAssembly,
                     "--logger", "trx;LogFileName=guest.trx", "--logger", "console;verbosity=normal",
                     "--results-directory", ResultsDirectory])
            psi.ArgumentList.Add(a);

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout + TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return $"{script} did not return within {Timeout + TimeSpan.FromMinutes(2)}";
        }
        process.WaitForExit();
        lock (output) RunnerLog = output.ToString();
        File.WriteAllText(Path.Combine(ResultsDirectory, "..", "run-guest.log"), RunnerLog);

        var release = Path.Combine(ResultsDirectory, "kernel-release");
        var trx = Path.Combine(ResultsDirectory, "guest.trx");
        if (!File.Exists(trx))
        {
            // Exit 3: the VM could not be prepared or did not report; 124: timeout. run-guest.sh says why.
            var guestLog = Path.Combine(ResultsDirectory, "guest.log");
            return $"{script} exited with {process.ExitCode} and the guest wrote no {trx}.\n" +
                   $"--- run-guest.sh ---\n{RunnerLog.Trim()}" +
                   (File.Exists(guestLog) ? $"\n--- guest.log (dotnet test in the guest) ---\n{Tail(File.ReadAllText(guestLog), 60)}" : "");
        }
        Results = GuestResult.ParseTrx(XDocument.Load(trx));
        if (Results.Count == 0)
            return $"the guest's {trx} has no test results; guest.log:\n{Tail(File.ReadAllText(Path.Combine(ResultsDirectory, "guest.log")), 60)}";
        if (File.Exists(release)) KernelRelease = File.ReadAllText(release).Trim();
        return null;
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}

/// <summary>One test result of the guest run.</summary>
/// <param name="ClassName">The test class's full name.</param>
/// <param name="MethodName">The test method's name.</param>
/// <param name="DisplayName">The full display name (with theory arguments).</param>
/// <param name="Outcome">TRX outcome: Passed, Failed, NotExecuted, ...</param>
/// <param name="Message">The failure message and stack trace, if any.</param>
/// <param name="Output">What the test wrote to its output.</param>
/// <param name="Duration">How long it ran in the guest.</param>
public sealed record GuestResult(string ClassName, string MethodName, string DisplayName, string Outcome, string Message, string Output, TimeSpan Duration)
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>The results of a TRX file, joined with their test definitions (class and method names).</summary>
    public static IReadOnlyList<GuestResult> ParseTrx(XDocument trx)
    {
        var methods = trx.Descendants(Ns + "UnitTest").ToDictionary(
            t => (string)t.Attribute("id")!,
            t => t.Element(Ns + "TestMethod")!);
        return [.. trx.Descendants(Ns + "UnitTestResult").Select(r =>
        {
            var method = methods[(string)r.Attribute("testId")!];
            var error = r.Descendants(Ns + "ErrorInfo").FirstOrDefault();
            var message = error is null ? "" : $"{error.Element(Ns + "Message")?.Value}\n{error.Element(Ns + "StackTrace")?.Value}".Trim();
            return new GuestResult(
                (string)method.Attribute("className")!, (string)method.Attribute("name")!,
                (string)r.Attribute("testName")!, (string)r.Attribute("outcome")!, message,
                r.Descendants(Ns + "StdOut").FirstOrDefault()?.Value ?? "",
                TimeSpan.TryParse((string?)r.Attribute("duration"), out var d) ? d : TimeSpan.Zero);
        })];
    }
}

[CollectionDefinition(Name)]
public sealed class GuestCollection : ICollectionFixture<GuestRun>
{
    public const string Name = "6.1 guest";
}
