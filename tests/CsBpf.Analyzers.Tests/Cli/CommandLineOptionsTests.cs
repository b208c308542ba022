using System.Collections.Immutable;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler;
using CsBpf.Compiler.Cli;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace CsBpf.Analyzers.Tests.Cli;

/// <summary>csbpfc's command line, diagnostic format and output directory handling.</summary>
public sealed class CommandLineOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("csbpfc-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Touch(string name)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "class C {}");
        return path;
    }

    [Fact]
    public void Parses_a_response_file_one_argument_per_line()
    {
        var source = Touch("dir with spaces/My Program.cs");
        var reference = Touch("ref.dll");
        var rsp = Path.Combine(_dir, "a.rsp");
        File.WriteAllLines(rsp,
        [
            "# a comment",
            "--out",
            "out dir",
            "--reference=" + reference,
            "--define=TRACE;DEBUG",
            "--define",
            "EXTRA,TRACE",
            "--langversion:12",
            "--nullable=enable",
            "--unsafe",
            "--cpu",
            "v4",
            "--no-opt",
            "",
            "--",
            source,
        ]);

        var o = CommandLineOptions.Parse(["@" + rsp], _dir);

        Assert.Equal(Path.Combine(_dir, "out dir"), o.OutputDirectory);
        Assert.Equal([reference], o.References.ToArray());
        Assert.Equal(["TRACE", "DEBUG", "EXTRA"], o.Defines.ToArray());
        Assert.Equal(LanguageVersion.CSharp12, o.LanguageVersion);
        Assert.Equal(NullableContextOptions.Enable, o.Nullable);
        Assert.True(o.AllowUnsafe);
        Assert.Equal("v4", o.Cpu);
        Assert.False(o.Optimize);
        Assert.Equal([source], o.Sources.ToArray());
    }

    [Fact]
    public void Defaults_and_relative_paths()
    {
        Touch("a.cs");
        var o = CommandLineOptions.Parse(["--out", "obj", "a.cs"], _dir);
        Assert.Equal(Path.Combine(_dir, "obj"), o.OutputDirectory);
        Assert.Equal([Path.Combine(_dir, "a.cs")], o.Sources.ToArray());
        Assert.Equal("v3", o.Cpu);
        Assert.True(o.Optimize);
        Assert.False(o.AllowUnsafe);
        Assert.Equal(LanguageVersion.Latest, o.LanguageVersion);
    }

    [Theory]
    [InlineData(new[] { "a.cs" }, "no output directory")]
    [InlineData(new[] { "--out", "o" }, "no source files")]
    [InlineData(new[] { "--out", "o", "--cpu", "v9", "a.cs" }, "not a BPF CPU version")]
    [InlineData(new[] { "--out", "o", "--bogus", "a.cs" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--out", "o", "--langversion", "99", "a.cs" }, "not a C# language version")]
    [InlineData(new[] { "--out", "o", "--nullable", "maybe", "a.cs" }, "not a nullable option")]
    [InlineData(new[] { "--out", "o", "missing.cs" }, "file not found")]
    [InlineData(new[] { "--out", "o", "a.cs", "--reference" }, "needs a value")]
    [InlineData(new[] { "--out", "o", "@nothere.rsp" }, "response file not found")]
    [InlineData(new[] { "--out", "o", "--unsafe=yes", "a.cs" }, "takes no value")]
    public void Rejects_bad_usage(string[] args, string expected)
    {
        Touch("a.cs");
        var e = Assert.Throws<CommandLineException>(() => CommandLineOptions.Parse(args, _dir));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Help_needs_nothing_else()
    {
        Assert.True(CommandLineOptions.Parse(["--help"], _dir).ShowHelp);
    }

    [Fact]
    public void Compilation_uses_absolute_paths_and_the_options()
    {
        Touch("src/a.cs");
        var o = CommandLineOptions.Parse(["--out", "o", "--define", "FOO", "--unsafe", "--langversion", "11", "src/a.cs"], _dir);
        var c = CompilerDriver.CreateCompilation(o);
        var tree = Assert.Single(c.SyntaxTrees);
        Assert.Equal(Path.Combine(_dir, "src", "a.cs"), tree.FilePath);
        Assert.True(Path.IsPathRooted(tree.FilePath));
        Assert.Contains("FOO", ((CSharpParseOptions)tree.Options).PreprocessorSymbolNames);
        Assert.Equal(LanguageVersion.CSharp11, ((CSharpParseOptions)tree.Options).LanguageVersion);
        Assert.True(c.Options.AllowUnsafe);
        Assert.Equal(OutputKind.DynamicallyLinkedLibrary, c.Options.OutputKind);
    }

    [Fact]
    public void Formats_diagnostics_in_msbuild_canonical_form()
    {
        var text = SourceText.From("class C\n{\n    int x;\n}\n");
        var tree = CSharpSyntaxTree.ParseText(text, path: "/src/My File.cs");
        var span = new TextSpan(text.ToString().IndexOf("int", StringComparison.Ordinal), 3);
        var located = Diagnostic.Create(BpfDiagnostics.UnsupportedConstruct, Location.Create(tree, span), "try/catch", "use return codes");
        Assert.Equal("/src/My File.cs(3,5): error CSBPF1001: try/catch is not supported in BPF code: use return codes",
            CanonicalDiagnosticFormatter.Format(located));

        var unlocated = Diagnostic.Create(BpfDiagnostics.LlvmNotFound, Location.None, "libLLVM 19 was not found:\ninstall libllvm19");
        Assert.Equal("csbpfc: error CSBPF3001: libLLVM 19 was not found: install libllvm19", CanonicalDiagnosticFormatter.Format(unlocated));

        var warning = Diagnostic.Create(new DiagnosticDescriptor("CSBPF9999", "t", "careful", "c", DiagnosticSeverity.Warning, true), Location.None);
        Assert.Equal("csbpfc: warning CSBPF9999: careful", CanonicalDiagnosticFormatter.Format(warning));
    }

    [Fact]
    public void Writes_objects_and_deletes_stale_ones()
    {
        var outDir = Path.Combine(_dir, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "Old.Gone.bpf.o"), "stale");
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "not an object");

        CompilerDriver.WriteObjects(outDir, [new BpfObjectOutput("Samples.OpenCount", [1, 2, 3])]);

        Assert.Equal(["Samples.OpenCount.bpf.o", "keep.txt"],
            Directory.EnumerateFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(outDir, "Samples.OpenCount.bpf.o")));

        CompilerDriver.WriteObjects(outDir, ImmutableArray<BpfObjectOutput>.Empty);
        Assert.Equal(["keep.txt"], Directory.EnumerateFiles(outDir).Select(Path.GetFileName));
    }
}
