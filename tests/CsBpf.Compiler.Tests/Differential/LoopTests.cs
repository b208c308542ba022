using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>Bpf.Loop → bpf_loop (helper 181) against the CLR's plain loop: counts the verifier could not walk,
/// early stops with any non-zero value, the over-limit error, state shared through the context.</summary>
public class LoopTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters));

    [Fact]
    public void Bpf_Loop_runs_the_callback_like_the_CLR_loop()
    {
        KernelEnvironment.Require();
        DiffCase[] cases =
        [
            Case("loop-stop", """
                public struct State { public long Sum; public long Limit; public int Steps; }
                public static long M(long limit, uint n)
                {
                    State s = default;
                    s.Limit = limit;
                    long done = Bpf.Loop(n & 4095, Step, ref s);
                    return done * 1000000 + s.Sum * 7 + s.Steps;
                }
                static long Step(uint i, ref State s)
                {
                    s.Steps++;
                    s.Sum += i * 3;
                    return s.Sum > s.Limit ? 5 : 0;   // any non-zero value stops
                }
                """, Long, Long, UInt),
            Case("loop-limit-and-nesting", """
                public struct Acc { public ulong Hash; public uint Inner; }
                public static long M(uint n, ulong seed)
                {
                    Acc acc = default;
                    acc.Hash = seed;
                    long outer = Bpf.Loop(n, Mix, ref acc);            // n > 8M: -E2BIG on both sides
                    return outer ^ (long)acc.Hash ^ acc.Inner;
                }
                static long Mix(uint i, ref Acc a)
                {
                    a.Hash = a.Hash * 1099511628211UL ^ i;
                    a.Inner += (uint)Bpf.Loop(i & 3, Count, ref a.Inner);
                    return i >= 300 ? 1 : 0;
                }
                static long Count(uint i, ref uint inner) { inner += i; return 0; }
                """, Long, UInt, ULong),
            Case("loop-static-lambdas", """
                public struct Window { public ulong Sum; public uint Seen; public uint Stop; }
                public static long M(uint n, ulong seed)
                {
                    Window w = default;
                    w.Stop = (uint)(seed & 1023);
                    long ran = Bpf.Loop(n & 8191, static (uint i, ref Window s) =>
                    {
                        s.Seen++;
                        s.Sum = s.Sum * 31 + Bits.Fold(i);
                        return i == s.Stop ? 1 : 0;
                    }, ref w);
                    uint total = 0;
                    long inner = Bpf.Loop(4, static (uint i, ref uint t) => { t += i * i; return 0; }, ref total);
                    return ran * 1000003 ^ (long)w.Sum ^ w.Seen ^ (inner << 40) ^ total;
                }
                """, Long, UInt, ULong) with
            {
                TopLevel = "public static class Bits { public static uint Fold(uint v) => v ^ (v >> 3); }",
            },
        ];
        var outcome = DifferentialRunner.Run(cases);
        output.WriteLine($"{outcome.Executions} kernel executions");
        Assert.True(outcome.CompileFailures.Count == 0, string.Join("\n\n", outcome.CompileFailures));
        Assert.True(outcome.Mismatches.Count == 0, string.Join("\n\n", outcome.Mismatches.Take(10)));
        Assert.True(outcome.Executions > cases.Length, "too few executions");
    }
}
