using System.Diagnostics;
using System.Text;
using CsBpf.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace CsBpf.Bench.Compiler;

/// <summary>
/// In-process compiles, as a batch-mode csbpfc (or a build server) would do them: every compile reads and
/// parses the file, creates a new <see cref="CSharpCompilation"/> and runs <see cref="BpfCompiler.Compile"/>
/// (binding, lowering, LLVM O2, emission); only the metadata references are created once. The options are
/// csbpfc's defaults (see CompilerDriver.CreateCompilation), so the objects come out byte for byte the same.
/// </summary>
internal sealed class WarmCompiler(IEnumerable<string> referencePaths, string cpu)
{
    private readonly MetadataReference[] _references = referencePaths.Distinct(StringComparer.Ordinal)
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();

    private static readonly CSharpParseOptions s_parseOptions =
        new(LanguageVersion.Latest, DocumentationMode.Parse, SourceCodeKind.Regular, []);

    private static readonly CSharpCompilationOptions s_compilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        allowUnsafe: false,
        nullableContextOptions: NullableContextOptions.Disable,
        deterministic: true,
        concurrentBuild: true);

    public BpfCompilationResult Compile(string path)
    {
        SourceText text;
        using (FileStream stream = File.OpenRead(path))
            text = SourceText.From(stream, Encoding.UTF8, SourceHashAlgorithm.Sha256, throwIfBinaryDetected: false, canBeEmbedded: true);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(text, s_parseOptions, path);
        CSharpCompilation compilation = CSharpCompilation.Create("CsBpfProgram", [tree], _references, s_compilationOptions);
        return BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = cpu });
    }

    /// <summary>Compiles <paramref name="path"/> <paramref name="runs"/> times; returns the times (ms) and the last result.</summary>
    public (List<double> Milliseconds, BpfCompilationResult Last) Time(string path, int runs)
    {
        var times = new List<double>(runs);
        BpfCompilationResult? last = null;
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            last = Compile(path);
            watch.Stop();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return (times, last!);
    }
}
