using System.Reflection;
using System.Runtime.Loader;
using CsBpf.Compiler;
using CsBpf.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Maps.Tests;

/// <summary>
/// Compiles C# BPF source with <see cref="BpfCompiler"/> (from a real file, so BTF line info names it) and loads
/// the result, or runs the same source on the CLR. Map tests write their programs as source text so the
/// compiler's diagnostics are part of what they check.
/// </summary>
internal static class MapPrograms
{
    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Append(typeof(CsBpf.Bpf).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    public static CSharpCompilation CreateCompilation(string source)
    {
        string path = WriteSource(source);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path);
        return CSharpCompilation.Create("MapTest_" + Path.GetFileNameWithoutExtension(path), [tree], s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>Compiles <paramref name="source"/>; returns the result with its diagnostics.</summary>
    public static BpfCompilationResult Compile(string source) =>
        BpfCompiler.Compile(CreateCompilation(source), new BpfCompilerOptions { Cpu = "v3" });

    /// <summary>Compiles <paramref name="source"/> (which must compile cleanly) and opens its one object, not loaded.</summary>
    public static BpfObject Open(string source, string name = "maps")
    {
        BpfCompilationResult result = Compile(source);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        return BpfObject.Open(Assert.Single(result.Objects).Elf, name);
    }

    /// <summary>Compiles, opens and loads <paramref name="source"/>.</summary>
    public static BpfObject Load(string source, string name = "maps")
    {
        BpfObject obj = Open(source, name);
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

    /// <summary>The same source compiled to IL and loaded into a collectible context, to run on the CLR.</summary>
    public static Assembly LoadOnClr(string source)
    {
        CSharpCompilation compilation = CreateCompilation(source);
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, "the source does not compile as C#:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        return new AssemblyLoadContext("maps-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }

    /// <summary>The diagnostic IDs of compiling <paramref name="source"/> (errors only).</summary>
    public static string[] ErrorIds(string source) =>
        Compile(source).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToArray();

    private static string WriteSource(string source)
    {
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-map-tests");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"src_{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..16]}.cs");
        if (!File.Exists(path)) File.WriteAllText(path, source);
        return path;
    }
}
