using CsBpf.Compiler.Tests.Differential;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace CsBpf.Compiler.Tests;

/// <summary>
/// Broken and unsupported input never crashes the compiler: mutated and truncated sources (token deletions
/// and swaps, truncations, inserted unsupported constructs) each end in an object or in CSBPF diagnostics
/// with source locations — never an exception, never an internal compiler error.
/// </summary>
public class RobustnessTests(ITestOutputHelper output)
{
    private const int Seed = 7;
    private const int Mutants = 1200;

    private static readonly string[] s_unsupported =
    [
        "object o = new object();", "string s = \"pid\" + p0;", "try { p0++; } finally { p0--; }", "float f = 1.5f;",
        "var list = new System.Collections.Generic.List<int>();", "foreach (var x in new int[3]) { }", "lock (typeof(int)) { }",
        "System.Console.WriteLine(1);", "int[] a = new int[3];", "System.Func<int> f = () => 1;", "var t = typeof(int);",
        "int z = checked(p0 + 1);", "int q = 10 / (p0 == 0 ? 1 : p0);", "throw new System.Exception();", "dynamic d = 1;",
        "M(p0);", "decimal m = 1m;", "var tup = (1, 2);", "int? n = null;", "using var r = new System.IO.MemoryStream();",
        "static int Local(int x) => x; p0 = Local(p0);", "var span = new System.Span<int>(new int[2]);", "goto end; end:;",
    ];

    [Fact]
    public void Mutated_sources_end_in_an_object_or_located_diagnostics()
    {
        var random = new Random(Seed);
        var generator = new ProgramGenerator(Seed);
        var bases = new List<string> { File.ReadAllText(Path.Combine(CsBpf.TestSupport.RepoPaths.Root, "samples", "OpenCount", "OpenCount.cs")) };
        bases.AddRange(Enumerable.Range(0, 8).Select(i => DifferentialRunner.GenerateSource([generator.Next(i)])));

        int objects = 0, diagnosed = 0, noProgram = 0;
        var problems = new List<string>();
        for (int i = 0; i < Mutants; i++)
        {
            string source = Mutate(bases[random.Next(bases.Count)], random);
            BpfCompilationResult result;
            try
            {
                result = TestCompiler.Compile(source, path: $"/robustness/mutant{i}.cs");
            }
            catch (Exception e)
            {
                problems.Add($"mutant {i}: {e}\n{source}");
                continue;
            }
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Any(d => d.Id == "CSBPF2001"))
                problems.Add($"mutant {i}: internal compiler error: {errors.First(d => d.Id == "CSBPF2001")}\n{source}");
            else if (errors.Any(d => !d.Location.IsInSource))
                problems.Add($"mutant {i}: diagnostic without location: {errors.First(d => !d.Location.IsInSource)}");
            else if (result.Objects.Length > 0) objects++;
            else if (errors.Count > 0) diagnosed++;
            else if (HasBpfClass(source)) problems.Add($"mutant {i}: a [BpfProgram] class produced neither an object nor an error\n{source}");
            else noProgram++;
        }
        output.WriteLine($"{Mutants} mutants: {objects} compiled, {diagnosed} diagnosed, {noProgram} without a [BpfProgram] class left");
        Assert.True(problems.Count == 0, string.Join("\n\n", problems.Take(3)));
        Assert.True(objects > 50 && diagnosed > 300, $"mutation mix too one-sided: {objects} compiled, {diagnosed} diagnosed");
    }

    private static bool HasBpfClass(string source)
    {
        var compilation = TestCompiler.CreateCompilation(source, "/robustness/check.cs");
        return compilation.SyntaxTrees[0].GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>()
            .Any(c => compilation.GetSemanticModel(c.SyntaxTree).GetDeclaredSymbol(c)?.GetAttributes()
                .Any(a => a.AttributeClass?.ToDisplayString() == "CsBpf.BpfProgramAttribute") == true);
    }

    private static string Mutate(string source, Random random)
    {
        var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().ToList();
        int kind = random.Next(4);
        switch (kind)
        {
            case 0: // delete a token
                {
                    var t = tokens[random.Next(tokens.Count)];
                    return source.Remove(t.SpanStart, t.Span.Length);
                }
            case 1: // swap two adjacent tokens
                {
                    int i = random.Next(tokens.Count - 1);
                    var (a, b) = (tokens[i], tokens[i + 1]);
                    return source[..a.SpanStart] + b.Text + source[a.Span.End..b.SpanStart] + a.Text + source[b.Span.End..];
                }
            case 2: // truncate
                return source[..random.Next(source.Length)];
            default: // insert an unsupported construct at the start of a method body
                {
                    var bodies = tokens.Where(t => t.IsKind(SyntaxKind.OpenBraceToken) && t.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax).ToList();
                    if (bodies.Count == 0) return source;
                    var at = bodies[random.Next(bodies.Count)];
                    return source.Insert(at.Span.End, " " + s_unsupported[random.Next(s_unsupported.Length)] + " ");
                }
        }
    }
}
