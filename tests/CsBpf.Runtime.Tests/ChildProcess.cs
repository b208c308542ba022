using System.Diagnostics;
using System.Text;

namespace CsBpf.Runtime.Tests;

/// <summary>
/// Runs this test assembly as a separate process (<c>dotnet CsBpf.Runtime.Tests.dll &lt;scenario&gt;</c>), for
/// behaviour that must be observed in a fresh process: a missing libbpf (the native binding is per process)
/// and loading without privileges (under another uid).
/// </summary>
public static class ChildProcess
{
    /// <summary>Scenario: open an object with whatever CSBPF_LIBBPF says; print the exception.</summary>
    public const string OpenScenario = "open";

    /// <summary>Scenario: read an ELF object from stdin, open and load it; print the exception.</summary>
    public const string LoadStdinScenario = "load-stdin";

    /// <summary>Entry point of the child (the test host never calls it).</summary>
    public static int Main(string[] args)
    {
        try
        {
            switch (args.FirstOrDefault())
            {
                case OpenScenario:
                    using (BpfObject.Open([0x7f, (byte)'E', (byte)'L', (byte)'F'], "child")) { }
                    Console.Out.Write("NO EXCEPTION");
                    return 1;
                case LoadStdinScenario:
                    using (var stdin = Console.OpenStandardInput())
                    using (var copy = new MemoryStream())
                    {
                        stdin.CopyTo(copy);
                        using var obj = BpfObject.Open(copy.ToArray(), "child");
                        obj.Load();
                    }
                    Console.Out.Write("NO EXCEPTION");
                    return 1;
                default:
                    Console.Error.Write("usage: CsBpf.Runtime.Tests.dll open|load-stdin");
                    return 2;
            }
        }
        catch (Exception e)
        {
            // First line: the exception type; then its message.
            Console.Out.Write(e.GetType().Name + "\n" + e.Message);
            return 0;
        }
    }

    /// <summary>The child's exception type (first line) and message (the rest).</summary>
    public sealed record Result(int ExitCode, string ExceptionType, string Message, string StandardError);

    /// <summary>Runs <paramref name="scenario"/> in a child process, optionally through a wrapper such as setpriv.</summary>
    public static Result Run(string scenario, IDictionary<string, string?>? environment = null, byte[]? stdin = null, string[]? wrapper = null)
    {
        var dotnet = FindDotnet();
        var assembly = typeof(ChildProcess).Assembly.Location;
        string[] command = [.. wrapper ?? [], dotnet, assembly, scenario];
        var psi = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            psi.Environment[key] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"child process '{string.Join(' ', command)}' timed out");
        }
        var text = stdout.Result;
        var newline = text.IndexOf('\n');
        return newline < 0
            ? new Result(process.ExitCode, text, "", stderr.Result)
            : new Result(process.ExitCode, text[..newline], text[(newline + 1)..], stderr.Result);
    }

    private static string FindDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "dotnet"))) return Path.Combine(dir, "dotnet");
        Assert.Fail("the dotnet host was not found (DOTNET_HOST_PATH, process path, PATH)");
        return "";
    }
}
