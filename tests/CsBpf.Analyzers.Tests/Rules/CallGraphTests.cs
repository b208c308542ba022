using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>CallGraphAnalyzer: recursion (CSBPF0008) and the 512-byte stack budget (0015).</summary>
public class CallGraphTests
{
    private static Task Analyze(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<CallGraphAnalyzer>(source, expected);

    [Fact]
    public Task Calls_without_cycles_and_small_frames_are_clean() => Analyze(Program("""
                Span<byte> buffer = stackalloc byte[256];
                buffer[0] = 1;
                Counts.Update(1, A(3) + B(buffer));
        """, """
            static ulong A(uint x) => x > 0 ? C(x) : 0;
            static ulong B(Span<byte> s) => s[0];
            static ulong C(uint x) => x * 2;
        """));

    [Fact]
    public Task Direct_and_indirect_recursion_are_flagged() => Analyze(Program("""
                Counts.Update(1, Fact(5) + Ping(3));
        """, """
            static ulong Fact(uint n) => n <= 1 ? 1 : n * {|CSBPF0008:Fact(n - 1)|};
            static ulong Ping(uint n) => n == 0 ? 0 : {|CSBPF0008:Pong(n - 1)|};
            static ulong Pong(uint n) => n == 0 ? 1 : {|CSBPF0008:Ping(n - 1)|};
        """));

    [Fact]
    public Task A_frame_over_512_bytes_is_flagged() => Analyze(Program("""
                Counts.Update(1, Big());
        """, """
            static ulong {|CSBPF0015:Big|}()
            {
                Span<ulong> a = stackalloc ulong[40];
                Span<ulong> b = stackalloc ulong[40];
                a[0] = 1; b[0] = 2;
                return a[0] + b[0];
            }
        """));

    [Fact]
    public Task A_call_chain_over_512_bytes_is_flagged() => AnalyzeAsync<CallGraphAnalyzer>("""
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
            [Tracepoint("syscalls", "sys_enter_openat")]
            static int {|CSBPF0015:Prog|}(TracepointContext ctx)
            {
                Span<ulong> a = stackalloc ulong[36];
                a[1] = Bpf.KtimeGetNs();
                Counts.Update(1, a[1] + Inner(a[1]));
                return 0;
            }
            [MethodImpl(MethodImplOptions.NoInlining)]
            static ulong Inner(ulong x)
            {
                Span<ulong> b = stackalloc ulong[36];
                b[(int)(x & 7)] = x;
                return b[3];
            }
        }
        """);
}
