using CsBpf.TestSupport;

namespace CsBpf.EndToEnd.Tests;

/// <summary>dotnet build of small real projects: diagnostics, incrementality, determinism, missing tools.</summary>
public class BuildTests
{
    /// <summary>A throwaway project outside the repo wired like the samples (as the package would do).</summary>
    internal static string CreateProject(string name, string bpfSource)
    {
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-build-" + Guid.NewGuid().ToString("N"), name);
        Directory.CreateDirectory(dir);
        string samples = Path.Combine(RepoPaths.Root, "samples");
        File.WriteAllText(Path.Combine(dir, "..", "Directory.Build.props"), $"""<Project><Import Project="{samples}/Directory.Build.props" /></Project>""");
        File.WriteAllText(Path.Combine(dir, "..", "Directory.Build.targets"), $"""<Project><Import Project="{samples}/Directory.Build.targets" /></Project>""");
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><AllowUnsafeBlocks>true</AllowUnsafeBlocks></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Bpf.cs"), bpfSource);
        return dir;
    }

    internal const string Good = """
        using CsBpf;
        namespace Built;
        [BpfProgram(License = "GPL")]
        public static partial class Counter
        {
            [Map] static readonly ArrayMap<ulong> Hits = new(maxEntries: 1);

            [Tracepoint("syscalls", "sys_enter_getpid")]
            static int OnGetpid(TracepointContext ctx)
            {
                ref ulong n = ref Hits.GetValueRefOrNullRef(0);
                if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref n)) System.Threading.Interlocked.Increment(ref n);
                return 0;
            }
        }
        """;

    [Fact]
    public void Unsupported_construct_fails_the_build_with_file_line_and_id()
    {
        string dir = CreateProject("BadBpf", Good.Replace("ref ulong n = ref Hits.GetValueRefOrNullRef(0);", "object o = new object();\n        ref ulong n = ref Hits.GetValueRefOrNullRef(0);"));
        var (exit, output) = Tools.DotnetBuild(dir);
        Assert.NotEqual(0, exit);
        string file = Path.Combine(dir, "Bpf.cs");
        Assert.Matches(@$"{System.Text.RegularExpressions.Regex.Escape(file)}\(11,20\): error CSBPF0001: 'new object\(\)' allocates on the managed heap", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public void Build_is_incremental_and_deterministic()
    {
        string dir = CreateProject("GoodBpf", Good);
        var (exit, output) = Tools.DotnetBuild(dir);
        Assert.True(exit == 0, output);
        string obj = Directory.GetFiles(Path.Combine(dir, "obj"), "Built.Counter.bpf.o", SearchOption.AllDirectories).Single();
        byte[] first = File.ReadAllBytes(obj);
        DateTime stamp = File.GetLastWriteTimeUtc(obj);

        // A no-op build does not run csbpfc again.
        var (exit2, output2) = Tools.DotnetBuild(dir, "-v:n");
        Assert.True(exit2 == 0, output2);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(obj));
        Assert.DoesNotContain("csbpfc.dll", output2.Split('\n').Where(l => l.Contains("exec")).FirstOrDefault() ?? "");

        // A forced rebuild gives the same bytes.
        var (exit3, output3) = Tools.DotnetBuild(dir, "--no-incremental");
        Assert.True(exit3 == 0, output3);
        Assert.Equal(first, File.ReadAllBytes(obj));
    }

    [Fact]
    public void Missing_libllvm_is_one_clear_error_naming_the_package()
    {
        string src = Path.Combine(Path.GetTempPath(), $"csbpf-nollvm-{Guid.NewGuid():N}.cs");
        File.WriteAllText(src, Good);
        string outDir = Path.Combine(Path.GetTempPath(), $"csbpf-nollvm-out-{Guid.NewGuid():N}");
        string csbpfRef = typeof(CsBpf.Bpf).Assembly.Location;
        string coreLib = typeof(object).Assembly.Location;
        string runtimeDir = Path.GetDirectoryName(coreLib)!;
        var args = new List<string> { "exec", Tools.CsbpfcDll, "--out", outDir, "--reference", csbpfRef };
        foreach (string dll in Directory.GetFiles(runtimeDir, "*.dll")) { args.Add("--reference"); args.Add(dll); }
        args.Add(src);
        var (exit, output) = Tools.Run("dotnet", args, new Dictionary<string, string?> { ["CSBPF_LIBLLVM"] = "/nonexistent/libLLVM.so.19.1" });
        Assert.Equal(1, exit);
        Assert.Contains("error CSBPF3001", output);
        Assert.Contains("/nonexistent/libLLVM.so.19.1", output);
        Assert.Contains("libllvm19", output);
        Assert.Single(output.Split('\n'), l => l.Contains("error"));
    }
}
