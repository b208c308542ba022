using System.Diagnostics;
using System.Runtime.Loader;
using System.Text;
using CsBpf.TestSupport;

namespace CsBpf.Analyzers.Tests.Build;

/// <summary>
/// msbuild/CsBpf.Build driven by real <c>dotnet build</c>s of a throwaway project, with a stand-in compiler
/// script (written here, at test time) in place of csbpfc: it records each run, writes an object, or prints
/// canonical errors and fails when told to.
/// </summary>
public sealed class MSBuildIntegrationTests : IDisposable
{
    private const string ObjectName = "Test.Prog.bpf.o";
    private static readonly byte[] ObjectBytes = Encoding.ASCII.GetBytes("FAKE-BPF-ELF-OBJECT");

    private readonly string _root = Directory.CreateTempSubdirectory("csbpf-msbuild-").FullName;
    private string ProjectDir => Path.Combine(_root, "App");
    private string FakeCompiler => Path.Combine(_root, "fake-csbpfc.sh");
    private string RunLog => Path.Combine(_root, "runs.log");
    private string FailMarker => Path.Combine(_root, "FAIL");
    private string ObjDir => Path.Combine(ProjectDir, "obj", "Debug", "net10.0");
    private string CsBpfDir => Path.Combine(ObjDir, "csbpf");

    public MSBuildIntegrationTests()
    {
        File.WriteAllText(FakeCompiler, $$"""
            #!/usr/bin/env bash
            # Stand-in for csbpfc: $1 is @<response file>.
            rsp="${1#@}"
            echo run >> '{{RunLog}}'
            out=$(grep '^--out=' "$rsp" | head -1); out="${out#--out=}"
            src=$(sed -n '/^--$/,$p' "$rsp" | grep '/Program.cs$' | head -1)
            mkdir -p "$out"
            if [ -f '{{FailMarker}}' ]; then
              echo "$src(3,5): error CSBPF1001: try/catch is not supported in BPF code: fake"
              echo "csbpfc: error CSBPF3001: libLLVM not found (fake)"
              exit 1
            fi
            printf '{{Encoding.ASCII.GetString(ObjectBytes)}}' > "$out/{{ObjectName}}"
            """.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(FakeCompiler, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var build = Path.Combine(RepoPaths.Root, "msbuild", "CsBpf.Build", "build");
        Directory.CreateDirectory(ProjectDir);
        File.WriteAllText(Path.Combine(ProjectDir, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{build}/CsBpf.Build.props" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <CsBpfCompilerPath>{FakeCompiler}</CsBpfCompilerPath>
              </PropertyGroup>
              <Import Project="{build}/CsBpf.Build.targets" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(ProjectDir, "Program.cs"), "Console.WriteLine(\"hi\");\n");
        // Keep the throwaway project away from any Directory.Build.* above the temp directory.
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_root, "Directory.Build.targets"), "<Project />");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private int Runs => File.Exists(RunLog) ? File.ReadAllLines(RunLog).Length : 0;

    [Fact]
    public void Compiles_embeds_the_object_and_is_incremental()
    {
        var (code, output) = Dotnet("build");
        Assert.True(code == 0, output);
        Assert.Equal(1, Runs);

        // The response file carries the project's settings, one argument per line.
        var rsp = File.ReadAllLines(Path.Combine(ObjDir, "App.csbpf.rsp"));
        Assert.Contains($"--out={CsBpfDir}/", rsp);
        Assert.Contains("--cpu=v3", rsp);
        Assert.Contains("--unsafe", rsp);
        Assert.Contains("--nullable=enable", rsp);
        Assert.Contains("--define=TRACE", rsp);
        Assert.Contains(rsp, l => l.StartsWith("--reference=", StringComparison.Ordinal) && l.EndsWith("/System.Runtime.dll", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(ProjectDir, "Program.cs"), rsp);
        Assert.Contains(rsp, l => l.EndsWith(".GlobalUsings.g.cs", StringComparison.Ordinal));

        // Embedded under the file name, with the file's bytes.
        Assert.Equal(ObjectBytes, ReadResource(Path.Combine(ProjectDir, "bin", "Debug", "net10.0", "App.dll"), ObjectName));

        // No-op build: csbpfc does not run again, the object stays embedded.
        (code, output) = Dotnet("build");
        Assert.True(code == 0, output);
        Assert.Equal(1, Runs);
        Assert.Equal(ObjectBytes, ReadResource(Path.Combine(ObjDir, "App.dll"), ObjectName));

        // A changed option reruns it.
        (code, output) = Dotnet("build", "-p:CsBpfCpu=v4");
        Assert.True(code == 0, output);
        Assert.Equal(2, Runs);

        // A changed source reruns it.
        File.AppendAllText(Path.Combine(ProjectDir, "Program.cs"), "// edited\n");
        File.SetLastWriteTimeUtc(Path.Combine(ProjectDir, "Program.cs"), DateTime.UtcNow.AddSeconds(2));
        (code, output) = Dotnet("build", "-p:CsBpfCpu=v4");
        Assert.True(code == 0, output);
        Assert.Equal(3, Runs);

        // Clean removes the objects.
        (code, output) = Dotnet("clean");
        Assert.True(code == 0, output);
        Assert.False(Directory.Exists(CsBpfDir), "clean left " + CsBpfDir);
    }

    [Fact]
    public void Compiler_errors_are_msbuild_errors_and_fail_the_build_once()
    {
        File.WriteAllText(FailMarker, "");
        var (code, output) = Dotnet("build");

        Assert.NotEqual(0, code);
        // The console logger repeats every error after "Build FAILED."; count in the build log itself.
        int summary = output.IndexOf("Build FAILED.", StringComparison.Ordinal);
        var log = summary >= 0 ? output[..summary] : output;
        var program = Path.Combine(ProjectDir, "Program.cs");
        Assert.Equal(1, Count(log, $"{program}(3,5): error CSBPF1001: try/catch is not supported in BPF code: fake"));
        Assert.Equal(1, Count(log, "error CSBPF3001: libLLVM not found (fake)"));
        Assert.DoesNotContain("MSB3073", output);   // Exec's "exited with code"
        Assert.DoesNotContain("MSB6006", output);   // ToolTask's, when the tool printed no error
        Assert.False(File.Exists(Path.Combine(ObjDir, "App.dll")), "csc ran after csbpfc failed");

        // Without a stamp, the next build runs csbpfc again, and succeeds once the error is fixed.
        File.Delete(FailMarker);
        (code, output) = Dotnet("build");
        Assert.True(code == 0, output);
        Assert.Equal(2, Runs);
    }

    [Fact]
    public void Missing_compiler_is_reported()
    {
        var (code, output) = Dotnet("build", $"-p:CsBpfCompilerPath={Path.Combine(_root, "nothere.dll")}");
        Assert.NotEqual(0, code);
        Assert.Contains("error CSBPF3002", output);
        Assert.Equal(0, Runs);

        (code, output) = Dotnet("build", "-p:CsBpfEnabled=false", $"-p:CsBpfCompilerPath={Path.Combine(_root, "nothere.dll")}");
        Assert.True(code == 0, output);
    }

    private static int Count(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static byte[]? ReadResource(string assemblyPath, string name)
    {
        var context = new AssemblyLoadContext("csbpf-resource-check", isCollectible: true);
        try
        {
            using var file = File.OpenRead(assemblyPath);
            var assembly = context.LoadFromStream(file);
            Assert.Contains(name, assembly.GetManifestResourceNames());
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        finally
        {
            context.Unload();
        }
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
        // The test host's MSBuild settings must not leak into the child build.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBuild", StringComparison.Ordinal)).ToList())
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
