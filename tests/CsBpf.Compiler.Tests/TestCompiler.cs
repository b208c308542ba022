using CsBpf.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler.Tests;

/// <summary>Compiles C# source text with the BPF compiler, the way csbpfc does (real file on disk, so
/// BTF line info can carry the source lines).</summary>
internal static class TestCompiler
{
    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Append(typeof(CsBpf.Bpf).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    public static CSharpCompilation CreateCompilation(string source, string? path = null)
    {
        path ??= WriteSource(source);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path);
        return CSharpCompilation.Create("BpfTest", [tree], s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    }

    public static BpfCompilationResult Compile(string source, string cpu = "v3", string? path = null) =>
        BpfCompiler.Compile(CreateCompilation(source, path), new BpfCompilerOptions { Cpu = cpu });

    /// <summary>Writes the source to a stable temp path derived from its content.</summary>
    public static string WriteSource(string source)
    {
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-tests");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"src_{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..16]}.cs");
        if (!File.Exists(path)) File.WriteAllText(path, source);
        return path;
    }
}
