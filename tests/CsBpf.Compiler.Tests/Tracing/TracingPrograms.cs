using CsBpf.Runtime;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>Compiles C# BPF source and opens the object, failing the test with the diagnostics.</summary>
internal static class TracingPrograms
{
    /// <summary>Compiles the sources together (e.g. a program and a generated tracepoint record).</summary>
    public static byte[] Compile(string source, params string[] more)
    {
        var compilation = TestCompiler.CreateCompilation(source);
        foreach (string other in more)
            compilation = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(other,
                new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest), TestCompiler.WriteSource(other)));
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = "v3" });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Elf;
    }

    public static BpfObject Load(string source, string name, params string[] more)
    {
        var obj = BpfObject.Open(Compile(source, more), name);
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
