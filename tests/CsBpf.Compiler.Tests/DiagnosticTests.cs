using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Tests;

/// <summary>Unsupported or malformed code ends in a CSBPF diagnostic at the right place, never a crash.</summary>
public class DiagnosticTests
{
    private static string Program(string body, string members = "", string attribute = "[BpfProgram(License = \"GPL\")]") => $$"""
        using System;
        using System.Threading;
        using CsBpf;

        {{attribute}}
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

    /// <summary>Compiles and returns the single diagnostic with its 1-based line and the text at its location.</summary>
    private static (Diagnostic Diagnostic, int Line, string Text) SingleError(string source)
    {
        var result = TestCompiler.Compile(source);
        Assert.False(result.Success);
        Assert.Empty(result.Objects);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.True(d.Location.IsInSource, d.ToString());
        return (d, d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    private static int LineOf(string source, string marker) =>
        source.Split('\n').Select((l, i) => (l, i)).Single(x => x.l.Contains(marker)).i + 1;

    [Theory]
    [InlineData("object o = new object();", "new object()", "CSBPF0001")]
    [InlineData("Counts.TryGetValue(1, out ulong x); string s = \"n=\" + x;", "\"n=\" + x", "CSBPF0002")]
    [InlineData("Console.WriteLine(1);", "Console.WriteLine(1)", "CSBPF1003")]
    [InlineData("try { Counts.Delete(1); } catch { }", "try", "CSBPF0003")]
    [InlineData("uint d = (uint)Bpf.GetCurrentPidTgid(); uint q = 10 / d;", "10 / d", "CSBPF0017")]
    [InlineData("if (Bpf.GetSmpProcessorId() > 100) throw new InvalidOperationException();", "throw", "CSBPF0003")]
    [InlineData("Func<int> f = () => 1;", "() => 1", "CSBPF0005")]
    [InlineData("Span<int> s = stackalloc int[4]; s[(int)Bpf.GetSmpProcessorId()] = 1;", "s[(int)Bpf.GetSmpProcessorId()]", "CSBPF0019")]
    [InlineData("int a = (int)Bpf.GetSmpProcessorId(); checked { int b = a + 1; }", "a + 1", "CSBPF0011")]
    public void Unsupported_constructs_are_reported_at_their_location(string body, string expectedText, string id)
    {
        string source = Program(body);
        var (d, line, text) = SingleError(source);
        Assert.Equal(id, d.Id);
        Assert.Equal(LineOf(source, body), line);
        Assert.StartsWith(expectedText, text);
        Assert.False(string.IsNullOrWhiteSpace(d.GetMessage()));
    }

    [Fact]
    public void Floating_point_is_an_unsupported_type()
    {
        string source = Program("double x = Bpf.GetSmpProcessorId();");
        var (d, line, _) = SingleError(source);
        Assert.Equal("CSBPF0009", d.Id);
        Assert.Contains("floating point", d.GetMessage());
        Assert.Equal(LineOf(source, "double x"), line);
    }

    [Fact]
    public void Missing_license_is_reported_on_the_attribute()
    {
        var (d, _, text) = SingleError(Program("", attribute: "[BpfProgram]"));
        Assert.Equal("CSBPF1004", d.Id);
        Assert.Equal("BpfProgram", text);
    }

    [Fact]
    public void Malformed_map_and_tracepoint_declarations_are_reported()
    {
        var result = TestCompiler.Compile(Program("", members: "[Map] static HashMap<uint, ulong> NotReadonly = new(maxEntries: 0);")
            .Replace("\"sys_enter_openat\"", "\"bad name\""));
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF1005" && d.GetMessage().Contains("static readonly"));
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("bad name"));
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void Csharp_errors_inside_the_bpf_class_are_reported_with_their_location()
    {
        string source = Program("int x = undefinedName;");
        var (d, line, _) = SingleError(source);
        Assert.Equal("CSBPF1007", d.Id);
        Assert.Contains("CS0103", d.GetMessage());
        Assert.Equal(LineOf(source, "undefinedName"), line);
    }

    [Fact]
    public void A_BpfProgram_attribute_that_does_not_resolve_is_an_error_not_an_empty_build()
    {
        // Without 'using CsBpf;' the attribute binds to nothing: the class must not be skipped silently.
        string source = Program("").Replace("using CsBpf;", "");
        var (d, line, text) = SingleError(source);
        Assert.Equal("CSBPF1007", d.Id);
        Assert.Contains("does not resolve to CsBpf.BpfProgramAttribute", d.GetMessage());
        Assert.Equal(LineOf(source, "[BpfProgram("), line);
        Assert.StartsWith("BpfProgram", text);
    }

    [Fact]
    public void A_division_proved_only_for_the_callers_in_its_class_is_still_guarded_for_other_callers()
    {
        // The rule set analyses Div with the divisor its own class passes (5) and finds nothing to report; the
        // other class passes anything. That proof must not drop the compiler's guard (GuardProofs, RecordsProofs).
        const string source = """
            using CsBpf;
            public struct Args { public long X; public long Y; public long R; }
            [BpfProgram(License = "GPL")]
            public static partial class Shared
            {
                [Syscall] static int RunShared(ref Args a) { a.R = Div(a.X, 5); return 0; }
                public static long Div(long x, long d) => d == -1 ? -x : x / d;
            }
            [BpfProgram(License = "GPL")]
            public static partial class User
            {
                [Syscall] static int RunUser(ref Args a) { a.R = Shared.Div(a.X, a.Y); return 0; }
            }
            """;
        var result = TestCompiler.Compile(source);
        Diagnostic d = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CSBPF0017", d.Id);
        Assert.Equal("x / d", d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Assert.Contains(result.Objects, o => o.ClassFullName == "Shared");
    }

    [Fact]
    public void Division_compiles_when_it_cannot_throw_and_is_refused_where_CSharp_would_throw()
    {
        string signed = Program("int a = (int)Bpf.GetSmpProcessorId(); int q = a / 3 + a % -7; Counts.Update(1, (ulong)q);");
        foreach (string cpu in new[] { "v1", "v2", "v3", "v4" })
            Assert.True(TestCompiler.Compile(signed, cpu: cpu).Success, cpu);
        Assert.Contains(TestCompiler.Compile(Program("int a = (int)Bpf.GetSmpProcessorId(); Counts.Update(1, (ulong)(a / -1));")).Diagnostics,
            d => d.Id == "CSBPF0018" && d.GetMessage().Contains("-1"));
        Assert.Contains(TestCompiler.Compile(Program("uint a = Bpf.GetSmpProcessorId(); Counts.Update(1, 100 / a);")).Diagnostics,
            d => d.Id == "CSBPF0017" && d.GetMessage().Contains("may be zero"));
        // A dominating test is enough: LLVM proves the guard unreachable and the program compiles.
        Assert.True(TestCompiler.Compile(Program("uint a = Bpf.GetSmpProcessorId(); if (a != 0) Counts.Update(1, 100 / a);")).Success);
        Assert.True(TestCompiler.Compile(Program("int a = (int)Bpf.GetSmpProcessorId(); int b = (int)Bpf.KtimeGetNs(); if (b > 0) Counts.Update(1, (ulong)(a / b));")).Success);
    }
}
