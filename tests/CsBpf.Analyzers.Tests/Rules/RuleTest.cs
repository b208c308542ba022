using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>
/// Runs a rule (and its code fix) with Microsoft.CodeAnalysis.Testing over C# sources marked up with the
/// expected diagnostics (<c>{|CSBPF0017:a / d|}</c>, or <c>{|#0:...|}</c> with <see cref="Expect"/>). The
/// sources compile against this runtime's assemblies and the program-side API (no reference packs are
/// downloaded); they must have no C# errors.
/// </summary>
internal static class RuleTest
{
    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Append(typeof(CsBpf.Bpf).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    /// <summary>A [BpfProgram] class with a hash map <c>Counts</c>, extra <paramref name="members"/> and a
    /// tracepoint program whose body is <paramref name="body"/> followed by <c>return 0;</c>.</summary>
    public static string Program(string body, string members = "") => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
        {{members}}
            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Prog(TracepointContext ctx)
            {
        {{body}}
                return 0;
            }
        }
        """;

    public static DiagnosticResult Expect(string id, int location = 0) =>
        new DiagnosticResult(BpfDiagnostics.All.Single(d => d.Id == id)).WithLocation(location);

    public static async Task AnalyzeAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task FixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource };
        Configure(test);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>Applies the code fix's action number <paramref name="codeActionIndex"/> (when it offers several).</summary>
    public static async Task FixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, int codeActionIndex, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource, CodeActionIndex = codeActionIndex };
        Configure(test);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    private static void Configure<TVerifier>(AnalyzerTest<TVerifier> test) where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(s_references.Value);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            Project project = solution.GetProject(projectId)!;
            var options = ((CSharpCompilationOptions)project.CompilationOptions!).WithAllowUnsafe(true).WithNullableContextOptions(NullableContextOptions.Enable);
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
            return solution.WithProjectCompilationOptions(projectId, options).WithProjectParseOptions(projectId, parse);
        });
    }
}
