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

    /// <summary>dotnet build of a test project. The repository's projects it references (runtime, compiler,
    /// analyzers) are already built with the tests and are not rebuilt: tests build in parallel, and a
    /// <c>--no-incremental</c> build that rewrote CsBpf.dll while another test's build copied it made that
    /// build fail (MSB3030).</summary>
    public static (int ExitCode, string Output) DotnetBuild(string project, params string[] extra) =>
        Run("dotnet", ["build", project, "-c", Configuration, "-nologo", "-p:UseSharedCompilation=false", "-p:BuildProjectReferences=false", .. extra]);
}
