using System.Collections.Immutable;
using CsBpf.Analyzers.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Analyzers.Tests.Generators;

/// <summary>Runs <see cref="BpfLoaderGenerator"/> over in-memory sources.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>Stand-ins for the host runtime's API, used only while CsBpf.Runtime does not define it yet,
    /// so the generated code is compiled against exactly the names it uses.</summary>
    public const string RuntimeStubs =
        """
        namespace CsBpf.Runtime
        {
            public sealed class BpfObject : System.IDisposable
            {
                public static BpfObject OpenEmbedded(System.Reflection.Assembly assembly, string resourceName) => throw null!;
                public void Load() => throw null!;
                public BpfHashMap<TKey, TValue> GetHashMap<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged => throw null!;
                public BpfArrayMap<T> GetArrayMap<T>(string name) where T : unmanaged => throw null!;
                public BpfProgramHandle GetProgram(string name) => throw null!;
                public System.Collections.Generic.IReadOnlyList<BpfLink> AttachAll() => throw null!;
                public void Dispose() { }
            }
            public sealed class BpfHashMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged { }
            public sealed class BpfArrayMap<T> where T : unmanaged { }
            public sealed class BpfProgramHandle { }
            public sealed class BpfLink : System.IDisposable { public void Dispose() { } }
        }
        """;

    private static readonly ImmutableArray<MetadataReference> s_references = LoadReferences();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(CsBpf.BpfProgramAttribute).Assembly.Location);
        var runtime = Path.Combine(AppContext.BaseDirectory, "CsBpf.Runtime.dll");
        if (File.Exists(runtime)) paths.Add(runtime);
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    /// <summary>A compilation of <paramref name="sources"/> with the BCL, CsBpf and CsBpf.Runtime (or its stubs).</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources)
    {
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/Source{i}.cs")).ToList();
        var compilation = CSharpCompilation.Create("Tests", trees, s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        if (compilation.GetTypeByMetadataName("CsBpf.Runtime.BpfObject") is null)
            compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(RuntimeStubs, ParseOptions, path: "/src/RuntimeStubs.cs"));
        return compilation;
    }

    /// <summary>A driver that records step reasons.</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new BpfLoaderGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns the generated sources by hint name.</summary>
    public static (Dictionary<string, string> Sources, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Run(params string[] sources)
    {
        var compilation = CreateCompilation(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return (result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()), output, diagnostics);
    }

    /// <summary>Errors and warnings of <paramref name="compilation"/>, formatted for assertion messages.</summary>
    public static string[] Problems(Compilation compilation) =>
        [.. compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())];
}
