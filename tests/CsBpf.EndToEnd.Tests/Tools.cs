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

    /// <summary>A child process without the test host's MSBuild settings (a nested dotnet build must not
    /// inherit them).</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null) =>
        ProcessRunner.Run(file, args, new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["MSBuildExtensionsPath"] = null,
            ["MSBuildSDKsPath"] = null,
            ["MSBUILD_EXE_PATH"] = null,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        });

    public static (int ExitCode, string Output) DotnetBuild(string project, params string[] extra) =>
        Run("dotnet", ["build", project, "-c", Configuration, "-nologo", "-p:UseSharedCompilation=false", .. extra]);
}
