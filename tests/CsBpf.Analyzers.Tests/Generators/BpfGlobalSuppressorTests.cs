using CsBpf.Analyzers.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Analyzers.Tests.Generators;

/// <summary>The unused-field warnings of BPF globals are suppressed; those of other classes are not.</summary>
public class BpfGlobalSuppressorTests
{
    [Fact]
    public async Task Warnings_on_BPF_globals_are_suppressed_and_others_kept()
    {
        const string source =
            """
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Knobs
            {
                static readonly bool Enabled;
                static ulong Hits;
                static long Bias = 7;
                [Tracepoint("syscalls", "sys_enter_openat")] static int On(TracepointContext ctx) => 0;
            }
            public static class Plain
            {
                static readonly bool Enabled;
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(source);
        var analyzers = System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new BpfGlobalSuppressor());
        var withSuppressor = compilation.WithAnalyzers(analyzers, new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzersOptions(
            new Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true));
        var diagnostics = await withSuppressor.GetAllDiagnosticsAsync();
        var unusedField = diagnostics.Where(d => d.Id is "CS0649" or "CS0169" or "CS0414").ToList();
        Assert.Equal(4, unusedField.Count);
        Assert.All(unusedField.Where(d => d.Location.GetLineSpan().StartLinePosition.Line < 9), d => Assert.True(d.IsSuppressed, d.ToString()));
        var plain = Assert.Single(unusedField, d => d.Location.GetLineSpan().StartLinePosition.Line >= 9);
        Assert.False(plain.IsSuppressed);
    }
}
