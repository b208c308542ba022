using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Tests;

/// <summary>
/// What struct members, helper libraries and tuples still cannot do is refused at the C# that does it, with the
/// reason and what to write instead: members without source in the project, generic members, instance members of
/// classes, members the C# compiler generates, tuples where their (CLR-chosen) layout would matter.
/// </summary>
public class StructMemberDiagnosticTests
{
    private static string Program(string body, string members = "", string topLevel = "") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using CsBpf;

        {{topLevel}}

        [BpfProgram(License = "GPL")]
        public static unsafe partial class P
        {
            [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
        {{members}}
            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Prog(TracepointContext ctx)
            {
                uint pid = Bpf.GetSmpProcessorId();
        {{body}}
                return 0;
            }
        }
        """;

    private static (Diagnostic Diagnostic, string Text) SingleError(string source)
    {
        var result = TestCompiler.Compile(source);
        Assert.False(result.Success, "expected a diagnostic");
        Diagnostic d = Assert.Single(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.True(d.Location.IsInSource, d.ToString());
        return (d, d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("Counts.Update(pid, Pairs.Sum(default));", "var (k, v) = kv", "CSBPF1003", "source is not in the project")]
    [InlineData("Counts.Update(pid, (ulong)Math.Max(pid, 3u));", "Math.Max(pid, 3u)", "CSBPF1003", "write the logic as a method in the project")]
    [InlineData("var k = new LpmKey<uint>(8, pid); Counts.Update(pid, k.Equals(k) ? 1UL : 0);", "k.Equals(k)", "CSBPF1003", "LpmKey<uint>.Equals")]
    [InlineData("Counts.Update(pid, Lib.Same(2UL));", "Lib.Same(2UL)", "CSBPF1030", "non-generic overload")]
    [InlineData("var g = new Gen<uint> { V = pid }; Counts.Update(pid, g.Get());", "g.Get()", "CSBPF1030", "Gen<uint>.Get()")]
    [InlineData("var r = new Rec(pid); Counts.Update(pid, r.A);", "new Rec(pid)", "CSBPF1001", "record struct")]
    [InlineData("var r = new Rec2 { A = pid }; Counts.Update(pid, r == r ? 1UL : 0);", "r == r", "CSBPF1001", "C# compiler generates")]
    [InlineData("Counts.Update(pid, Lib.Total);", "Lib.Total", "CSBPF1001", "static auto-property")]
    public void Calls_that_cannot_be_BPF_functions_are_refused_at_the_call(string body, string at, string id, string phrase)
    {
        string topLevel = """
            public static class Lib
            {
                public static T Same<T>(T v) => v;
                public static ulong Total { get; set; }
            }
            public static class Pairs
            {
                public static ulong Sum(KeyValuePair<uint, ulong> kv) { var (k, v) = kv; return k + v; }
            }
            public struct Gen<T> where T : unmanaged { public T V; public ulong Get() => 1; }
            public record struct Rec(uint A);
            public record struct Rec2 { public uint A; }
            """;
        var (d, text) = SingleError(Program(body, topLevel: topLevel));
        Assert.Equal(id, d.Id);
        Assert.Equal(at, text);
        Assert.Contains(phrase, d.GetMessage());
    }

    [Theory]
    [InlineData("var t = (pid, 1UL); ulong n = (ulong)sizeof((uint, ulong)); Counts.Update(pid, n + t.Item2);")]
    [InlineData("var t = (pid, 1UL); (uint, ulong)* p = &t; Counts.Update(pid, p->Item2);")]
    [InlineData("Span<(uint, ulong)> s = stackalloc (uint, ulong)[2]; Counts.Update(pid, s[0].Item2);")]
    [InlineData("var t = (pid, 1UL); Counts.Update(pid, (ulong)Unsafe.SizeOf<(uint, ulong)>() + t.Item1);")]
    public void Tuples_are_refused_where_their_layout_would_matter(string body)
    {
        var result = TestCompiler.Compile(Program(body));
        Assert.False(result.Success, "expected a diagnostic");
        Diagnostic d = result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CSBPF1002", d.Id);
        Assert.Contains("LayoutKind.Auto", d.GetMessage());
        Assert.True(d.Location.IsInSource, d.ToString());
    }

    [Fact]
    public void A_tuple_map_value_is_refused_at_the_map()
    {
        var result = TestCompiler.Compile(Program("Pairs.Update(pid, (pid, 1UL));", "[Map] static readonly HashMap<uint, (uint Pid, ulong Count)> Pairs = new(maxEntries: 4);"));
        Assert.False(result.Success);
        Diagnostic d = result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CSBPF1150", d.Id);
        Assert.Contains("Pairs", d.GetMessage());
    }

    [Fact]
    public void A_struct_with_a_tuple_field_is_refused()
    {
        var result = TestCompiler.Compile(Program("Holder h = default; h.T = (pid, 2); Counts.Update(pid, h.T.Item2);",
            topLevel: "public struct Holder { public (uint, ulong) T; }"));
        Assert.False(result.Success);
        Diagnostic d = result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CSBPF1002", d.Id);
        Assert.Contains("LayoutKind.Auto", d.GetMessage());
    }
}
