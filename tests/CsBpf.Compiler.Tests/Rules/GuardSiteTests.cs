using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Tests.Rules;

/// <summary>
/// The compiler's own proof of the checks C# makes (ModuleLowering.Guards), with every analyzer bypassed: two
/// checks that fail on neighbouring values of one variable stay two reports. (LLVM used to sink their two marker
/// calls into one call whose site was a phi of both, which the compiler could not attribute and dropped.)
/// </summary>
public class GuardSiteTests
{
    private static BpfCompilationResult CompileWithoutRules(string body)
    {
        string source = RuleSetEquivalenceTests.OpenatProgram(body);
        var rules = Frontend.RuleSetRunner.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();
        return BpfCompiler.Compile(TestCompiler.CreateCompilation(source), new BpfCompilerOptions { DisabledRules = rules });
    }

    private static string Text(Diagnostic d) =>
        d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

    [Fact]
    public void A_range_and_an_index_failing_on_neighbouring_values_are_both_reported()
    {
        // n == 0: 1..0 throws; n == 1: t is empty and t[0] throws.
        var result = CompileWithoutRules("Span<int> s = stackalloc int[8]; int n = (int)(Bpf.GetSmpProcessorId() & 7); Span<int> t = s[1..n]; r = (ulong)t[0];");
        Assert.False(result.Success);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.All(errors, d => Assert.Equal("CSBPF0019", d.Id));
        Assert.Equal(["s[1..n]", "t[0]"], errors.Select(Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_same_checks_with_their_tests_compile()
    {
        var result = CompileWithoutRules("Span<int> s = stackalloc int[8]; int n = (int)(Bpf.GetSmpProcessorId() & 7); if (n > 1) { Span<int> t = s[1..n]; r = (ulong)t[0]; }");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }
}
