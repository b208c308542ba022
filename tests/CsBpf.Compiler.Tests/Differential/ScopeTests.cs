using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Locals live for their C# scope (llvm.lifetime markers): locals of disjoint scopes share stack slots, and
/// a local declared in a loop body is a fresh variable every iteration — the kernel must still compute what
/// the CLR computes, across loops, goto out of scopes and switch sections.
/// </summary>
public class ScopeTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters));

    [Fact]
    public void Scoped_locals_keep_their_values_for_their_whole_scope()
    {
        KernelEnvironment.Require();
        DiffCase[] cases =
        [
            Case("scopes", """
                public struct Big { public long A, B, C, D; }
                public static unsafe long M(int a, int b)
                {
                    long total = 0;
                    for (int i = 0; i < 4; i++)
                    {
                        long x = a + i;
                        long* px = &x;
                        *px += b;
                        total += Twice(ref x) + x;
                        if (x == 17) continue;
                        Big big = default;
                        big.C = x;
                        Fill(ref big, i);
                        total ^= big.A + big.C;
                    }
                    {
                        int y = b;
                        Bump(ref y);
                        total += y;
                    }
                    {
                        int z = a;
                        Bump(ref z);
                        total ^= z;
                        if (z > 5) goto done;
                        int w = z * 2;
                        Bump(ref w);
                        total += w;
                    }
                    done:
                    switch (a & 3)
                    {
                        case 0: { Big s = default; Fill(ref s, b); total += s.A; break; }
                        case 1: { long t = 2; Twice(ref t); total -= t; goto default; }
                        default: { Big u = default; u.D = total; Fill(ref u, a); total += u.B + u.D; break; }
                    }
                    return total;
                }
                [MethodImpl(MethodImplOptions.NoInlining)] static long Twice(ref long v) { v *= 2; return v; }
                [MethodImpl(MethodImplOptions.NoInlining)] static void Bump(ref int v) => v++;
                [MethodImpl(MethodImplOptions.NoInlining)] static void Fill(ref Big b, int k) { b.A = k * 3; b.B += k; b.D ^= 5; }
                """, Long, Int, Int),
        ];
        var outcome = DifferentialRunner.Run(cases);
        output.WriteLine($"{outcome.Executions} kernel executions");
        Assert.True(outcome.CompileFailures.Count == 0, string.Join("\n\n", outcome.CompileFailures));
        Assert.True(outcome.Mismatches.Count == 0, string.Join("\n\n", outcome.Mismatches.Take(10)));
        Assert.True(outcome.Executions > cases.Length, "too few executions");
    }

    [Fact]
    public void Locals_of_disjoint_scopes_share_stack_slots()
    {
        // Six 96-byte structs whose addresses escape: 576 bytes, over the 512-byte BPF stack unless the
        // scopes' slots are shared (the back end refuses a larger frame).
        string blocks = string.Concat(Enumerable.Range(0, 6).Select(i =>
            $"        {{ Wide w{i} = default; w{i}.A = {i}; Touch(ref w{i}); n += w{i}.L; }}\n"));
        var result = TestCompiler.Compile($$"""
            using System.Runtime.CompilerServices;
            using CsBpf;
            public struct Wide { public long A, B, C, D, E, F, G, H, I, J, K, L; }
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [MethodImpl(MethodImplOptions.NoInlining)] static void Touch(ref Wide w) { w.L = w.A * 7; }
                [Tracepoint("syscalls", "sys_enter_openat")]
                static int Prog(TracepointContext ctx)
                {
                    long n = 0;
            {{blocks}}
                    return (int)n;
                }
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }
}
