using System.Reflection;

namespace CsBpf.EndToEnd.Tests;

/// <summary>The samples' build runs the ReadyToRun csbpfc (compiler/CsBpf.Compiler.Cli/CsBpf.Compiler.Cli.ReadyToRun.targets)
/// when the compiler project made it, the IL csbpfc.dll otherwise, and both write the same bytes.</summary>
public class ReadyToRunBuildTests
{
    private static bool ReadyToRunBuilt =>
        typeof(ReadyToRunBuildTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CsBpfReadyToRun").Value != "false";

    private static string ReadyToRunCsbpfc => Path.Combine(Path.GetDirectoryName(Tools.CsbpfcDll)!, "readytorun", "csbpfc.dll");

    /// <summary>The compiler command line the build ran (the response file's first line, '# "dotnet" exec "…csbpfc.dll"').</summary>
    private static string CompilerCommand(string dir, string name) =>
        File.ReadLines(Directory.GetFiles(Path.Combine(dir, "obj"), name + ".csbpf.rsp", SearchOption.AllDirectories).Single()).First();

    [Fact]
    public void Build_runs_the_ReadyToRun_csbpfc_and_the_IL_one_when_turned_off_with_the_same_bytes()
    {
        string dir = BuildTests.CreateProject("R2RBpf", BuildTests.Good);
        var (exit, output) = Tools.DotnetBuild(dir);
        Assert.True(exit == 0, output);
        string obj = Directory.GetFiles(Path.Combine(dir, "obj"), "Built.Counter.bpf.o", SearchOption.AllDirectories).Single();
        byte[] first = File.ReadAllBytes(obj);
        string expected = ReadyToRunBuilt ? ReadyToRunCsbpfc : Tools.CsbpfcDll;
        Assert.True(File.Exists(expected), expected);
        Assert.EndsWith($" exec \"{expected}\"", CompilerCommand(dir, "R2RBpf"));

        // CsBpfReadyToRun=false: the compiler project (not rebuilt, only asked for its path) no longer advertises
        // the ReadyToRun copy; the changed command line reruns csbpfc, now the IL one. No restore: that would
        // restore the compiler project without its ReadyToRun packs while other tests build.
        var (exit2, output2) = Tools.DotnetBuild(dir, "--no-restore", "-p:CsBpfReadyToRun=false");
        Assert.True(exit2 == 0, output2);
        Assert.EndsWith($" exec \"{Tools.CsbpfcDll}\"", CompilerCommand(dir, "R2RBpf"));
        Assert.Equal(first, File.ReadAllBytes(obj));
    }
}
