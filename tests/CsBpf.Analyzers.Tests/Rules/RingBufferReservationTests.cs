using CsBpf.Analyzers.CodeFixes;
using CsBpf.Analyzers.Rules;
using Microsoft.CodeAnalysis.Testing;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>CSBPF0061 (a ring buffer record not submitted or discarded on every path) in the rule set, and its
/// code fix: each fixed program is checked clean by the rule again (the test framework re-runs the analyzer on
/// the fixed code). The kernel's refusal of the flagged programs is RuleSetEquivalenceTests'; the compiler's use
/// of the rule is MapDiagnosticsTests'.</summary>
public class RingBufferReservationTests
{
    private const string Ring = "    [Map] static readonly RingBuffer Ring = new(sizeBytes: 4096);";

    private static Task Analyze(string source, params DiagnosticResult[] expected) => AnalyzeAsync<RingBufferReservationAnalyzer>(source, expected);

    private static Task Fix(string source, string fixedSource, int action) =>
        FixAsync<RingBufferReservationAnalyzer, ReleaseReservationCodeFix>(source, fixedSource, action);

    [Theory]
    [InlineData("ref ulong e = ref Ring.Reserve<ulong>(); if (Unsafe.IsNullRef(ref e)) return 0; e = 1; if (Bpf.GetSmpProcessorId() == 0) { Ring.Discard(ref e); return 1; } Ring.Submit(ref e);")]
    [InlineData("ref ulong e = ref Ring.Reserve<ulong>(); if (!Unsafe.IsNullRef(ref e)) { e = 2; if (Bpf.GetSmpProcessorId() > 3) Ring.Discard(ref e); else Ring.Submit(ref e, RingBufferFlags.ForceWakeup); }")]
    [InlineData("for (int i = 0; i < 4; i++) { ref ulong e = ref Ring.Reserve<ulong>(); if (Unsafe.IsNullRef(ref e)) break; e = (ulong)i; if (i == 2) { Ring.Discard(ref e); continue; } Ring.Submit(ref e); }")]
    [InlineData("ref ulong e = ref Ring.Reserve<ulong>(); if (Unsafe.IsNullRef(ref e) || Bpf.GetSmpProcessorId() == 7) { if (!Unsafe.IsNullRef(ref e)) Ring.Discard(ref e); return 0; } Ring.Submit(ref e);")]
    // Passing the record on by ref: not followed, counted as released (the verifier still checks the callee).
    [InlineData("ref ulong e = ref Ring.Reserve<ulong>(); if (Unsafe.IsNullRef(ref e)) return 0; Finish(ref e);")]
    // Output copies: nothing is held.
    [InlineData("ulong v = 1; Ring.Output(in v);")]
    public Task Records_released_on_every_path_are_clean(string body) =>
        Analyze(Program(body, Ring + "\n    static void Finish(ref ulong e) => Ring.Submit(ref e);"));

    [Fact]
    public Task A_return_that_leaves_with_the_record_is_flagged_at_the_reservation() => Analyze(Program("""
                ref ulong e = ref {|#0:Ring.Reserve<ulong>()|};
                if (Unsafe.IsNullRef(ref e)) return 0;
                e = 1;
                if (Bpf.GetSmpProcessorId() == 0) return {|#1:1|};
                Ring.Submit(ref e);
        """, Ring), Expect("CSBPF0061", 0).WithLocation(1).WithArguments("e", "e.g. the path leaving at line 17"));

    [Fact]
    public Task Each_leaking_reservation_is_flagged_once() => Analyze(Program("""
                ref ulong e = ref {|#0:Ring.Reserve<ulong>()|};
                ref ulong f = ref {|#1:Ring.Reserve<ulong>()|};
                if (Unsafe.IsNullRef(ref e) || Unsafe.IsNullRef(ref f)) return {|#2:0|};
                Ring.Submit(ref e);
                Ring.Submit(ref f);
        """, Ring),
        Expect("CSBPF0061", 0).WithLocation(2).WithArguments("e", "e.g. the path leaving at line 16"),
        Expect("CSBPF0061", 1).WithLocation(2).WithArguments("f", "e.g. the path leaving at line 16"));

    [Fact]
    public Task A_reservation_in_a_loop_callback_lambda_is_checked() => Analyze(Program("""
                ulong acc = 0;
                Bpf.Loop(4, static (uint i, ref ulong a) =>
                {
                    ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                    if (Unsafe.IsNullRef(ref e)) return 1;
                    e = a;
                    return 0;
                }, ref acc);
        """, Ring));

    [Fact]
    public Task Host_side_code_is_not_checked() => Analyze(Program("", Ring + """

            public static void Host() { ref ulong e = ref Ring.Reserve<ulong>(); }
        """));

    // ---- the code fix: 0 = Discard, 1 = Submit ----

    private const string ReturnLeak = """
                ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                if (Unsafe.IsNullRef(ref e)) return 0;
                e = 1;
                if (Bpf.GetSmpProcessorId() == 0) return 1;
                Ring.Submit(ref e);
        """;

    [Theory]
    [InlineData(0, "Discard")]
    [InlineData(1, "Submit")]
    public Task Releases_the_record_before_a_return_that_leaks_it(int action, string release) => Fix(Program(ReturnLeak, Ring), Program($$"""
                ref ulong e = ref Ring.Reserve<ulong>();
                if (Unsafe.IsNullRef(ref e)) return 0;
                e = 1;
                if (Bpf.GetSmpProcessorId() == 0)
                {
                    Ring.{{release}}(ref e);
                    return 1;
                }
                Ring.Submit(ref e);
        """, Ring), action);

    [Theory]
    [InlineData(0, "Discard")]
    [InlineData(1, "Submit")]
    public Task Releases_the_record_before_a_continue_that_leaks_it(int action, string release) => Fix(Program("""
                for (int i = 0; i < 4; i++)
                {
                    ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                    if (Unsafe.IsNullRef(ref e)) break;
                    e = (ulong)i;
                    if (i == 2) continue;
                    Ring.Submit(ref e);
                }
        """, Ring), Program($$"""
                for (int i = 0; i < 4; i++)
                {
                    ref ulong e = ref Ring.Reserve<ulong>();
                    if (Unsafe.IsNullRef(ref e)) break;
                    e = (ulong)i;
                    if (i == 2)
                    {
                        Ring.{{release}}(ref e);
                        continue;
                    }
                    Ring.Submit(ref e);
                }
        """, Ring), action);

    [Theory]
    [InlineData(0, "Discard")]
    [InlineData(1, "Submit")]
    public Task Adds_the_missing_else_when_the_path_that_skips_an_if_leaks(int action, string release) => Fix(Program("""
                ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                if (!Unsafe.IsNullRef(ref e))
                {
                    e = 2;
                    if (Bpf.GetSmpProcessorId() > 3) Ring.Discard(ref e);
                }
        """, Ring), Program($$"""
                ref ulong e = ref Ring.Reserve<ulong>();
                if (!Unsafe.IsNullRef(ref e))
                {
                    e = 2;
                    if (Bpf.GetSmpProcessorId() > 3) Ring.Discard(ref e);
                    else
                    {
                        Ring.{{release}}(ref e);
                    }
                }
        """, Ring), action);

    [Fact]
    public Task Releases_the_record_at_the_end_of_a_loop_body() => Fix(Program("""
                for (int i = 0; i < 4; i++)
                {
                    ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                    if (Unsafe.IsNullRef(ref e)) break;
                    e = (ulong)i;
                }
        """, Ring), Program("""
                for (int i = 0; i < 4; i++)
                {
                    ref ulong e = ref Ring.Reserve<ulong>();
                    if (Unsafe.IsNullRef(ref e)) break;
                    e = (ulong)i;
                    Ring.Discard(ref e);
                }
        """, Ring), 0);

    [Fact]
    public Task Releases_the_record_in_a_loop_callback_lambda() => Fix(Program("""
                ulong acc = 0;
                Bpf.Loop(4, static (uint i, ref ulong a) =>
                {
                    ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                    if (Unsafe.IsNullRef(ref e)) return 1;
                    e = a;
                    return 0;
                }, ref acc);
        """, Ring), Program("""
                ulong acc = 0;
                Bpf.Loop(4, static (uint i, ref ulong a) =>
                {
                    ref ulong e = ref Ring.Reserve<ulong>();
                    if (Unsafe.IsNullRef(ref e)) return 1;
                    e = a;
                    Ring.Discard(ref e);
                    return 0;
                }, ref acc);
        """, Ring), 0);

    /// <summary>Both ifs skip with the record held, but a release in the first one's else would run before the
    /// second one's Submit: only the second gets the else.</summary>
    [Fact]
    public Task Never_inserts_a_release_that_an_existing_Submit_would_follow() => Fix(Program("""
                ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                if (Unsafe.IsNullRef(ref e)) return 0;
                if (Bpf.GetSmpProcessorId() == 1) e = 5;
                if (Bpf.GetSmpProcessorId() == 2) Ring.Submit(ref e);
        """, Ring), Program("""
                ref ulong e = ref Ring.Reserve<ulong>();
                if (Unsafe.IsNullRef(ref e)) return 0;
                if (Bpf.GetSmpProcessorId() == 1) e = 5;
                if (Bpf.GetSmpProcessorId() == 2) Ring.Submit(ref e);
                else
                {
                    Ring.Discard(ref e);
                }
        """, Ring), 0);

    /// <summary>The break leaves the loop with the record held, but the Submit after the loop releases it: only the
    /// return leaks.</summary>
    [Fact]
    public Task Releases_only_where_the_path_leaks() => Fix(Program("""
                ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                if (Unsafe.IsNullRef(ref e)) return 0;
                for (int i = 0; i < 4; i++)
                {
                    if (i == (int)Bpf.GetSmpProcessorId()) break;
                    if (i == 3) return 1;
                }
                Ring.Submit(ref e);
        """, Ring), Program("""
                ref ulong e = ref Ring.Reserve<ulong>();
                if (Unsafe.IsNullRef(ref e)) return 0;
                for (int i = 0; i < 4; i++)
                {
                    if (i == (int)Bpf.GetSmpProcessorId()) break;
                    if (i == 3)
                    {
                        Ring.Discard(ref e);
                        return 1;
                    }
                }
                Ring.Submit(ref e);
        """, Ring), 0);

    /// <summary>A return whose value reads the record cannot release it first: no fix is offered (rather than a
    /// fix the verifier would refuse).</summary>
    [Fact]
    public Task Offers_no_fix_when_the_leaking_return_reads_the_record()
    {
        string source = Program("""
                ref ulong e = ref {|CSBPF0061:Ring.Reserve<ulong>()|};
                if (Unsafe.IsNullRef(ref e)) return 0;
                if (Bpf.GetSmpProcessorId() == 0) return (int)e;
                Ring.Submit(ref e);
        """, Ring);
        return Fix(source, source, 0);
    }
}
