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
        ];
        var outcome = DifferentialRunner.Run(cases);
        output.WriteLine($"{outcome.Executions} kernel executions");
        Assert.True(outcome.CompileFailures.Count == 0, string.Join("\n\n", outcome.CompileFailures));
        Assert.True(outcome.Mismatches.Count == 0, string.Join("\n\n", outcome.Mismatches.Take(10)));
        Assert.True(outcome.Executions > cases.Length, "too few executions");
    }
}
