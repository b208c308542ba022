using System.Diagnostics;
using System.Text.RegularExpressions;
using CsBpf.Analyzers.Diagnostics;

namespace CsBpf.Analyzers.Tests.Build;

/// <summary>
/// The rule set in an ordinary <c>dotnet build</c>: a throwaway project that references the analyzer assembly
/// (as the CsBpf package and samples/Directory.Build.targets do) gets the rules' diagnostics from csc with file,
/// line and column — the netstandard2.0 / Roslyn 5.0 analyzer loads in this SDK's compiler. csbpfc is not
/// involved (the project does not import CsBpf.Build); the same assembly's loader generator needs CsBpf.Runtime.
/// </summary>
public sealed class AnalyzerBuildTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("csbpf-analyzers-").FullName;
    private string ProjectDir => Path.Combine(_root, "App");

    public AnalyzerBuildTests()
    {
        Directory.CreateDirectory(ProjectDir);
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(ProjectDir, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{typeof(CsBpf.Bpf).Assembly.Location}" />
                <Reference Include="{typeof(CsBpf.Runtime.BpfObject).Assembly.Location}" />
                <Analyzer Include="{typeof(BpfDiagnostics).Assembly.Location}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(ProjectDir, "Program.cs"), "System.Console.WriteLine(\"host\");\n");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Rule_diagnostics_show_in_the_build_output_with_file_and_line()
    {
        string bpf = Path.Combine(ProjectDir, "Bpf.cs");
        File.WriteAllText(bpf, """
            using System.Runtime.CompilerServices;
            using CsBpf;

            [BpfProgram(License = "GPL")]
            public static partial class Counter
            {
                [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);

                [Tracepoint("syscalls", "sys_enter_getpid")]
                static int OnGetpid(TracepointContext ctx)
                {
                    object o = new object();
                    ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                    n++;
                    return 0;
                }
            }
            """);
        var (code, output) = Dotnet("build");
        Assert.NotEqual(0, code);
        Assert.Matches($@"{Regex.Escape(bpf)}\(12,20\): error CSBPF0001: 'new object\(\)' allocates on the managed heap", output);
        Assert.Matches($@"{Regex.Escape(bpf)}\(14,9\): error CSBPF0016: 'n' is a null reference when the map has no entry for the key", output);
        Assert.DoesNotContain("AD0001", output); // no analyzer crashed or failed to load

        // Fixed as the messages say: the build succeeds without rule diagnostics.
        File.WriteAllText(bpf, File.ReadAllText(bpf)
            .Replace("object o = new object();", "")
            .Replace("n++;", "if (Unsafe.IsNullRef(ref n)) return 0;\n        n++;"));
        (code, output) = Dotnet("build");
        Assert.True(code == 0, output);
        Assert.DoesNotContain("CSBPF", output);
    }

    private (int ExitCode, string Output) Dotnet(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = ProjectDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var a in (string[])["-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false", "--disable-build-servers"])
            psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} timed out");
        }
        return (process.ExitCode, $"dotnet {string.Join(' ', args)} -> {process.ExitCode}\n{stdout.Result}{stderr.Result}");
    }
}
