using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Tests;

/// <summary>
/// The proof rules of the C# subset: where C# would throw (or corrupt memory) and the compiler cannot prove
/// it does not, a located diagnostic with the check to write; with the check, the same code compiles.
/// </summary>
public class LanguageDiagnosticTests
{
    private static string Program(string body, string members = "") => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;

        public unsafe struct Record { public int Kind; public fixed byte Name[16]; }
        [InlineArray(8)] public struct Eight { private long _e; }

        [BpfProgram(License = "GPL")]
        public static unsafe partial class P
        {
        {{members}}
            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Prog(TracepointContext ctx)
            {
                int i = (int)Bpf.GetSmpProcessorId();
        {{body}}
                return 0;
            }
        }
        """;

    private static (Diagnostic Diagnostic, string Text) SingleError(string source)
    {
        var result = TestCompiler.Compile(source);
        Assert.False(result.Success, "expected a diagnostic");
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.True(d.Location.IsInSource, d.ToString());
        return (d, d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("Record r = default; r.Name[i] = 1;", "r.Name[i]", "CSBPF0019", "if ((uint)i < 16)")]
    [InlineData("Eight e = default; e[i] = 1;", "e[i]", "CSBPF0019", "if ((uint)i < 8)")]
    [InlineData("Eight e = default; Span<long> s = e[i..];", "e[i..]", "CSBPF0019", "start <= end")]
    [InlineData("Span<int> s = stackalloc int[4]; s[i] = 1;", "s[i]", "CSBPF0019", "(uint)span.Length")]
    [InlineData("long q = 100L / i;", "100L / i", "CSBPF0017", "if (i != 0)")]
    [InlineData("int k = (int)Bpf.GetCurrentPidTgid(); int q = k / (i | 1);", "k / (i | 1)", "CSBPF0018", "MinValue")]
    public void Unproven_checks_ask_for_the_test(string body, string at, string id, string advice)
    {
        var (d, text) = SingleError(Program(body));
        Assert.Equal(id, d.Id);
        Assert.Equal(at, text);
        Assert.Contains(advice, d.GetMessage());
    }

    [Theory]
    [InlineData("Record r = default; if ((uint)i < 16) r.Name[i] = 1; r.Name[i & 15] = 2; r.Name[3] = 3;")]
    [InlineData("Eight e = default; if ((uint)i < 8) e[i] = 1; e[i & 7] = 2; e[^1] = 3;")]
    [InlineData("Eight e = default; if (i >= 0 && i <= 8) { Span<long> s = e[i..]; }")]
    [InlineData("long q = i != 0 ? 100L / i : 0; int r = i > 0 ? 100 / i : 0;")]
    [InlineData("Record r = default; byte* p = r.Name; p[i & 63] = 1;")] // raw pointers are not checked (the verifier is)
    public void The_checks_C_sharp_would_make_are_proofs(string body)
    {
        var result = TestCompiler.Compile(Program(body));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    [Theory]
    [InlineData("long n = Bpf.Loop<int>(4, (uint k, ref int c) => 0, ref i);", "(uint k, ref int c) => 0", "needs a delegate")]
    [InlineData("void* v = &i; v = (byte*)v + 1; long d = (int*)v - (int*)v;", null, null)]
    [InlineData("Span<int> s = stackalloc int[i & 3];", "stackalloc int[i & 3]", "positive constant")]
    [InlineData("foreach (var c in \"abc\") { }", "\"abc\"", null)]
    public void Unsupported_pointer_and_loop_forms_are_reported(string body, string? at, string? phrase)
    {
        var result = TestCompiler.Compile(Program(body));
        if (at is null)
        {
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
            return;
        }
        Assert.False(result.Success);
        Diagnostic d = Assert.Single(result.Diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error));
        Assert.StartsWith("CSBPF", d.Id);
        Assert.True(d.Location.IsInSource, d.ToString());
        string text = d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
        Assert.Contains(at, text);
        if (phrase is not null) Assert.Contains(phrase, d.GetMessage());
    }

    [Fact]
    public void A_frame_over_the_BPF_stack_is_reported_at_its_method()
    {
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static unsafe partial class P
            {
                [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
                [Tracepoint("syscalls", "sys_enter_openat")]
                static int Prog(TracepointContext ctx)
                {
                    byte* a = stackalloc byte[400];
                    byte* b = stackalloc byte[400];
                    a[(int)Bpf.GetSmpProcessorId() & 255] = 1;
                    b[(int)Bpf.GetSmpProcessorId() & 127] = 2;
                    Counts.Update(1, (ulong)(a[3] + b[5]));
                    return 0;
                }
            }
            """);
        Assert.False(result.Success);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("CSBPF0015", d.Id);
        Assert.Contains("'Prog' needs", d.GetMessage());
        Assert.Contains("more than the kernel's 512", d.GetMessage());
        Assert.Equal("Prog", d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }
}
