using System.Collections.Immutable;
using CsBpf.Analyzers.Rules;
using CsBpf.Analyzers.Tests.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>CSBPF0040 (helper not offered to the program type) and CSBPF0041 (GPL-only helper in a non-GPL
/// class), run as ordinary analyzers over in-memory sources.</summary>
public class HelperRulesTests
{
    private static ImmutableArray<Diagnostic> Analyze(params string[] sources)
    {
        var compilation = GeneratorHarness.CreateCompilation(sources);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation.WithAnalyzers([new HelperAvailabilityAnalyzer(), new GplOnlyHelperAnalyzer()])
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    private static string Line(Diagnostic d) => d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim();

    [Fact]
    public void A_helper_the_program_type_lacks_is_reported_at_the_call()
    {
        var diagnostics = Analyze("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [Map] static readonly ArrayMap<ulong> M = new(maxEntries: 1);

                [Tracepoint("syscalls", "sys_enter_openat")]
                static int OnOpen(TracepointContext ctx)
                {
                    M.Update(0, Bpf.KtimeGetCoarseNs());
                    M.Update(0, Bpf.KtimeGetNs());
                    return 0;
                }
            }
            """);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("CSBPF0040", d.Id);
        Assert.Equal("M.Update(0, Bpf.KtimeGetCoarseNs());", Line(d));
        Assert.Contains("Program 'OnOpen' ([Tracepoint], program type Tracepoint) calls 'Bpf.KtimeGetCoarseNs'", d.GetMessage());
        Assert.Contains("helper 160 only to SocketFilter", d.GetMessage());
    }

    [Fact]
    public void Calls_through_bpf_to_bpf_functions_are_followed_and_each_program_type_judged()
    {
        var diagnostics = Analyze("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [Map] static readonly ArrayMap<long> M = new(maxEntries: 1);

                [PerfEvent]
                static int Sample(PerfEventContext ctx) => Read(ctx);

                [Tracepoint("syscalls", "sys_enter_openat")]
                static int OnOpen(TracepointContext ctx) => Outer(ctx);

                static int Outer(TracepointContext ctx) => Bpf.GetStack(ctx, stackalloc ulong[2], GetStackFlags.None) > 0 ? 1 : 0;

                static int Read(PerfEventContext ctx)
                {
                    M.Update(0, Bpf.PerfProgReadValue(ctx, out PerfEventValue v));
                    return 0;
                }

                [Kprobe("do_sys_openat2")]
                static int OnKprobe(PtRegs ctx) => Indirect();

                static int Indirect() => Deeper();

                static int Deeper()
                {
                    M.Update(0, (long)Bpf.GetPrandomU32());
                    M.Update(0, Bpf.PerfProgReadValue(default, out PerfEventValue v));
                    return 0;
                }
            }
            """);
        // get_stack is offered to tracepoints, perf_prog_read_value to perf events only: the kprobe reaching it
        // through two calls is the one error.
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("CSBPF0040", d.Id);
        Assert.Equal("M.Update(0, Bpf.PerfProgReadValue(default, out PerfEventValue v));", Line(d));
        Assert.Contains("Program 'OnKprobe' ([Kprobe], program type Kprobe) calls 'Bpf.PerfProgReadValue' through 'Indirect' → 'Deeper'", d.GetMessage());
        Assert.Contains("only to PerfEvent", d.GetMessage());
    }

    [Fact]
    public void A_call_into_another_program_class_is_reported_at_the_program()
    {
        var diagnostics = Analyze("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Shared
            {
                [Syscall] static int Run(ref long x) { x = 1; return 0; }
                public static ulong Coarse() => Bpf.KtimeGetCoarseNs();
            }
            """, """
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class User
            {
                [RawTracepoint("sys_enter")]
                static int OnEnter(RawTracepointContext ctx) => (int)Shared.Coarse();
            }
            """);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("CSBPF0040", d.Id);
        Assert.Contains("OnEnter", Line(d));
        Assert.Contains("through 'Coarse' (at /src/Source0.cs:6)", d.GetMessage());
    }

    [Theory]
    [InlineData("MIT", true)]
    [InlineData("Proprietary", true)]
    [InlineData("GPL-2.0", true)] // SPDX style: not one of the kernel's strings
    [InlineData("GPL", false)]
    [InlineData("GPL v2", false)]
    [InlineData("Dual MIT/GPL", false)]
    [InlineData("Dual BSD/GPL", false)]
    [InlineData("Dual MPL/GPL", false)]
    [InlineData("GPL and additional rights", false)]
    public void Gpl_only_helpers_need_a_gpl_compatible_license(string license, bool reported)
    {
        var diagnostics = Analyze($$"""
            using CsBpf;
            [BpfProgram(License = "{{license}}")]
            public static partial class P
            {
                [Map] static readonly ArrayMap<ulong> M = new(maxEntries: 1);

                [Uprobe]
                static int OnCall(PtRegs ctx) => Copy(ctx.Arg0);

                static int Copy(ulong address)
                {
                    M.Update(0, Bpf.GetCurrentPidTgid());
                    Bpf.ProbeReadUser(out ulong value, address);
                    M.Update(0, value);
                    return 0;
                }
            }
            """);
        if (!reported)
        {
            Assert.Empty(diagnostics);
            return;
        }
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("CSBPF0041", d.Id);
        Assert.Equal("Bpf.ProbeReadUser(out ulong value, address);", Line(d));
        Assert.Contains($"'Bpf.ProbeReadUser' (helper 112) is GPL-only, but class 'P' has License = \"{license}\" (program 'OnCall' calls it through 'Copy')", d.GetMessage());
    }

    [Fact]
    public void Code_that_no_program_reaches_is_not_judged()
    {
        Assert.Empty(Analyze("""
            using CsBpf;
            [BpfProgram(License = "MIT")]
            public static partial class P
            {
                [Tracepoint("syscalls", "sys_enter_openat")]
                static int OnOpen(TracepointContext ctx) => 0;

                static ulong Unused() => Bpf.KtimeGetCoarseNs() + Bpf.GetCurrentTask();
            }
            """));
    }
}
