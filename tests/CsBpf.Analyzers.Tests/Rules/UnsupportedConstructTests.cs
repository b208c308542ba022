using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>UnsupportedConstructAnalyzer: one flagged case per construct and ID, clean code, and host code in
/// the same class (not reachable from a program) left alone.</summary>
public class UnsupportedConstructTests
{
    private static Task Analyze(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<UnsupportedConstructAnalyzer>(source, expected);

    [Fact]
    public Task Supported_code_is_clean() => Analyze(Program("""
                uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                ref ulong n = ref Counts.GetValueRefOrNullRef(pid);
                if (Unsafe.IsNullRef(ref n)) Counts.Update(pid, Helper(pid));
                else Interlocked.Increment(ref n);
                Span<byte> s = stackalloc byte[8];
                s[0] = (byte)s.Length;
                Bpf.Printk($"pid {pid} n {s[0]}");
                Bpf.Printk("constant format");
                int k = pid switch { 0 => 1, _ => 2 };
        """, """
            static ulong Helper(uint x) => x + 1UL;
        """));

    [Fact]
    public Task Host_code_in_the_same_class_is_not_BPF_code() => Analyze(Program("", """
            public static string Describe(object o) => o.ToString() + new int[1].Length + 1.5;
        """));

    [Theory]
    [InlineData("object o = {|CSBPF0001:new object()|};")]
    [InlineData("int[] a = {|CSBPF0001:new int[4]|};")]
    [InlineData("object o = {|CSBPF0001:(object)pid|};")]
    [InlineData("string s = {|CSBPF0002:\"pid=\" + pid|};")]
    [InlineData("var t = {|CSBPF0002:$\"{pid}\"|};")]
    [InlineData("try { Counts.Delete(pid); } {|CSBPF0003:catch { }|}", "try")]
    [InlineData("if (pid == 0) {|CSBPF0003:throw new InvalidOperationException();|}")]
    [InlineData("ulong h = (ulong){|CSBPF0004:pid.GetHashCode()|};")]
    [InlineData("Func<int> f = {|CSBPF0005:() => 1|};")]
    [InlineData("int Local() => 1; Counts.Update(pid, (ulong)Local());", "Local")]
    [InlineData("foreach (var c in {|CSBPF0007:\"abc\"|}) { }", "string")]
    [InlineData("double d = pid * 1.5;", "double")]
    [InlineData("ulong u = (ulong)({|CSBPF0009:pid * 1.5|});")]
    [InlineData("{|CSBPF0009:double d = pid|};", "decl")]
    [InlineData("int x = (int)pid; int y = checked({|CSBPF0011:x + 1|});")]
    [InlineData("lock (Counts) { }", "lock")]
    [InlineData("int v = {|CSBPF0013:(int)pid switch { 0 => 1 }|};")]
    [InlineData("{|CSBPF1003:Console.WriteLine(pid)|};")]
    [InlineData("long t = {|CSBPF1003:DateTime.Now|}.Ticks;")]
    [InlineData("int m = {|CSBPF1003:Math.Max(1, (int)pid)|};")]
    public Task Unsupported_constructs_are_flagged(string statement, string? variant = null)
    {
        // Constructs whose natural location is a keyword or declarator get explicit markup here.
        statement = variant switch
        {
            "try" => statement.Replace("try { Counts.Delete(pid); } {|CSBPF0003:catch { }|}", "{|CSBPF0003:try|} { Counts.Delete(pid); } catch { }"),
            "Local" => statement.Replace("int Local()", "int {|CSBPF0005:Local|}()"),
            "string" => statement.Replace("{|CSBPF0007:\"abc\"|}", "{|CSBPF0007:\"abc\"|}").Replace("foreach (var c in {|CSBPF0007:\"abc\"|})", "foreach (var c in {|CSBPF0007:Text|})"),
            "double" => "double {|CSBPF0009:d = pid * 1.5|};",
            "decl" => "double {|CSBPF0009:d = pid|};",
            "lock" => "{|CSBPF0012:lock|} (Counts) { }",
            _ => statement,
        };
        string members = variant == "string" ? "    static readonly string Text = \"abc\";" : "";
        return Analyze(Program("        uint pid = Bpf.GetSmpProcessorId();\n        " + statement, members));
    }

    [Fact]
    public Task Linq_is_flagged() => Analyze("using System.Linq;\n" + Program("""
                Span<int> s = stackalloc int[2];
                int n = {|CSBPF0006:Enumerable.Range(0, 3).Sum()|};
        """));

    [Fact]
    public Task Code_reached_through_calls_is_checked_with_the_callers() => Analyze(Program("""
                Counts.Update(1, Deep());
        """, """
            static ulong Deep() => Deeper();
            static ulong Deeper() { object o = {|CSBPF0001:new object()|}; return 1; }
            static ulong Unused() { object o = new object(); return 1; }
        """));
}
