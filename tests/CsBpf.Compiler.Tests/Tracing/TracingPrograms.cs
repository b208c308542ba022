using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>Compiles C# BPF source and opens the object, failing the test with the diagnostics.</summary>
internal static class TracingPrograms
{
    public static byte[] Compile(string source)
    {
        var result = TestCompiler.Compile(source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Elf;
    }

    public static BpfObject Load(string source, string name)
    {
        var obj = BpfObject.Open(Compile(source), name);
        try
        {
            obj.Load();
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }
}
