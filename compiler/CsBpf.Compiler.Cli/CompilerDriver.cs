using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace CsBpf.Compiler.Cli;

/// <summary>Runs one compilation for parsed <see cref="CommandLineOptions"/>: builds the
/// <see cref="CSharpCompilation"/>, calls <see cref="BpfCompiler.Compile"/>, writes the objects and prints
/// the diagnostics.</summary>
public static class CompilerDriver
{
    /// <summary>The file pattern of compiler outputs in the output directory.</summary>
    public const string ObjectPattern = "*.bpf.o";

    /// <summary>Compiles and writes the objects. Returns the process exit code: 0 when no diagnostic is an
    /// error, 1 otherwise.</summary>
    public static int Run(CommandLineOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        var compilation = CreateCompilation(options, cancellationToken);
        CompilerTimings.Mark("parse");
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = options.Cpu, Optimize = options.Optimize }, cancellationToken);

        WriteObjects(options.OutputDirectory, result.Objects);
        CompilerTimings.Mark("write objects");

        foreach (var diagnostic in result.Diagnostics)
        {
            if (CanonicalDiagnosticFormatter.Format(diagnostic) is { } line) output.WriteLine(line);
        }
        return result.Success ? 0 : 1;
    }

    /// <summary>The compilation csbpfc hands to the BPF compiler: the sources (absolute paths, so line
    /// info in the objects points at the real files) and the references.</summary>
    public static CSharpCompilation CreateCompilation(CommandLineOptions options, CancellationToken cancellationToken = default)
    {
        var parseOptions = new CSharpParseOptions(options.LanguageVersion, DocumentationMode.Parse, SourceCodeKind.Regular, options.Defines);

        var trees = new SyntaxTree[options.Sources.Length];
        Parallel.For(0, trees.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var path = options.Sources[i];
            SourceText text;
            using (var stream = File.OpenRead(path))
                text = SourceText.From(stream, Encoding.UTF8, SourceHashAlgorithm.Sha256, throwIfBinaryDetected: false, canBeEmbedded: true);
            trees[i] = CSharpSyntaxTree.ParseText(text, parseOptions, path, cancellationToken);
        });

        var references = options.References
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));

        var compilationOptions = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            allowUnsafe: options.AllowUnsafe,
            nullableContextOptions: options.Nullable,
            deterministic: true,
            concurrentBuild: true);

        return CSharpCompilation.Create(options.AssemblyName, trees, references, compilationOptions);
    }

    /// <summary>Writes each object as <c>&lt;ResourceName&gt;</c> into <paramref name="directory"/> (only when
    /// its bytes changed) and deletes the <c>*.bpf.o</c> files there that this run did not produce.</summary>
    public static void WriteObjects(string directory, ImmutableArray<BpfObjectOutput> objects)
    {
        Directory.CreateDirectory(directory);
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var obj in objects)
        {
            var name = obj.ResourceName;
            if (name.IndexOfAny(['/', '\\']) >= 0 || name.StartsWith('.'))
                throw new InvalidOperationException($"object name '{name}' is not a plain file name");
            var path = Path.Combine(directory, name);
            produced.Add(Path.GetFullPath(path));
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(obj.Elf)) continue;
            File.WriteAllBytes(path, obj.Elf);
        }

        foreach (var stale in Directory.EnumerateFiles(directory, ObjectPattern))
        {
            if (!produced.Contains(Path.GetFullPath(stale))) File.Delete(stale);
        }
    }
}
