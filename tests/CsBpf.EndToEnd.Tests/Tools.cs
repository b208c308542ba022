using System.Diagnostics;
using CsBpf.TestSupport;

namespace CsBpf.EndToEnd.Tests;

/// <summary>Child processes for the end-to-end tests: dotnet build, csbpfc.</summary>
internal static class Tools
{
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string CsbpfcDll => Path.Combine(RepoPaths.Root, "compiler", "CsBpf.Compiler.Cli", "bin", Configuration, "net10.0", "csbpfc.dll");

    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        // A child dotnet build must not inherit the test host's MSBuild node settings.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBuildSDKsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public static (int ExitCode, string Output) DotnetBuild(string project, params string[] extra) =>
        Run("dotnet", ["build", project, "-c", Configuration, "-nologo", "-p:UseSharedCompilation=false", .. extra]);
}
