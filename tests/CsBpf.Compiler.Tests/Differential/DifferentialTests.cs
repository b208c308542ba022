using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Hand-written edge cases: the same C# runs on the CLR and as a syscall program in the kernel
/// (BPF_PROG_TEST_RUN), and must agree on every input where the CLR does not throw.
/// </summary>
public class DifferentialTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters));

    private void AssertAgree(IReadOnlyList<DiffCase> cases, string cpu = "v3") => DifferentialRunner.AssertAgree(output, cases, cpu);

    [Fact]
    public void Wrapping_arithmetic_and_bitwise_operators_on_every_integer_type()
    {
        var cases = new List<DiffCase>();
        foreach (ScalarType t in Integers)
        {
            string promoted = t.Size < 4 ? "int" : t.Keyword;
            ScalarType result = t.Size < 4 ? Int : t;
            cases.Add(Case($"add-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, {t.Keyword} b) => unchecked(a + b);", result, t, t));
            cases.Add(Case($"sub-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, {t.Keyword} b) => unchecked(a - b);", result, t, t));
            cases.Add(Case($"mul-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, {t.Keyword} b) => unchecked(a * b);", result, t, t));
            cases.Add(Case($"bits-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, {t.Keyword} b) => (a & b) ^ (a | ~b);", result, t, t));
            // Unary minus promotes uint to long; ulong has none (two's complement by hand).
            (string negType, ScalarType negResult, string negExpr) = t.Keyword switch
            {
                "ulong" => ("ulong", ULong, "~a + 1"),
                "uint" => ("long", Long, "-a"),
                _ => (promoted, result, "unchecked(-a)"),
            };
            cases.Add(Case($"neg-{t.Keyword}", $"public static {negType} M({t.Keyword} a) => {negExpr};", negResult, t));
        }
        AssertAgree(cases);
    }

    [Fact]
    public void Shift_counts_are_masked_like_CSharp()
    {
        var cases = new List<DiffCase>();
        foreach (ScalarType t in new[] { Int, UInt, Long, ULong, ScalarType.Byte, ScalarType.SByte, Short })
        {
            string promoted = t.Size < 4 ? "int" : t.Keyword;
            ScalarType result = t.Size < 4 ? Int : t;
            cases.Add(Case($"shl-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, int n) => a << n;", result, t, Int));
            cases.Add(Case($"shr-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, int n) => a >> n;", result, t, Int));
            cases.Add(Case($"ushr-{t.Keyword}", $"public static {promoted} M({t.Keyword} a, int n) => a >>> n;", result, t, Int));
        }
        AssertAgree(cases);
    }

    [Fact]
    public void Casts_truncate_and_extend_by_the_source_sign()
    {
        var cases = new List<DiffCase>();
        foreach (ScalarType from in Integers)
            foreach (ScalarType to in Integers)
                cases.Add(Case($"cast-{from.Keyword}-{to.Keyword}", $"public static {to.Keyword} M({from.Keyword} a) => unchecked(({to.Keyword})a);", to, from));
        AssertAgree(cases);
    }

    [Fact]
    public void Comparisons_use_the_operands_signedness()
    {
        var cases = new List<DiffCase>();
        foreach (ScalarType t in Integers)
            foreach (string op in new[] { "<", "<=", ">", ">=", "==", "!=" })
                cases.Add(Case($"cmp-{t.Keyword}-{op}", $"public static bool M({t.Keyword} a, {t.Keyword} b) => a {op} b;", Bool, t, t));
        // Mixed signedness promotes to long.
        cases.Add(Case("cmp-int-uint", "public static bool M(int a, uint b) => a < b;", Bool, Int, UInt));
        cases.Add(Case("cmp-bool", "public static bool M(bool a, bool b) => a == b || (a & !b) ^ (b | a);", Bool, Bool, Bool));
        AssertAgree(cases);
    }

    [Fact]
    public void Unsigned_division_by_constants()
    {
        var cases = new List<DiffCase>();
        foreach (ScalarType t in new[] { ScalarType.Byte, UShort, UInt, ULong })
            foreach (string d in new[] { "1", "3", "7", "10", "16", "255" })
            {
                string promoted = t.Size < 4 ? "int" : t.Keyword;
                cases.Add(Case($"udiv-{t.Keyword}-{d}", $"public static {promoted} M({t.Keyword} a) => a / {d};", t.Size < 4 ? Int : t, t));
                cases.Add(Case($"urem-{t.Keyword}-{d}", $"public static {promoted} M({t.Keyword} a) => a % {d};", t.Size < 4 ? Int : t, t));
            }
        AssertAgree(cases);
    }

    [Fact]
    public void Signed_division_truncates_toward_zero_on_cpu_v4_and_v3()
    {
        var cases = new List<DiffCase>();
        foreach (ScalarType t in new[] { Int, Long })
            foreach (string d in new[] { "3", "-3", "7", "-10", "2" })
            {
                cases.Add(Case($"sdiv-{t.Keyword}-{d}", $"public static {t.Keyword} M({t.Keyword} a) => a / {d};", t, t));
                cases.Add(Case($"srem-{t.Keyword}-{d}", $"public static {t.Keyword} M({t.Keyword} a) => a % {d};", t, t));
            }
        AssertAgree(cases, cpu: "v4");
        AssertAgree(cases, cpu: "v3");
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("v4")]
    public void Division_by_checked_variables(string cpu)
    {
        DiffCase[] cases =
        [
            Case("udiv-var", "public static uint M(uint a, uint b) => b != 0 ? a / b + a % b : 0;", UInt, UInt, UInt),
            Case("sdiv-var", """
                public static int M(int a, int b)
                {
                    if (b == 0 || (a == int.MinValue && b == -1)) return 0;
                    return a / b * 7 + a % b;
                }
                """, Int, Int, Int),
            Case("sdiv-long-var", "public static long M(long a, long b) => b > 0 ? a / b - a % b : -1;", Long, Long, Long),
            Case("sdiv-promoted", "public static int M(sbyte a, short b) => b == 0 ? 0 : a / b + b % (a | 1);", Int, ScalarType.SByte, Short),
            Case("sdiv-minus-one", "public static long M(long a) => a != long.MinValue ? a / -1 + a % -1 : 0;", Long, Long),
            // The rule set proves this guard; LLVM alone cannot (the test becomes a mask LVI does not relate to d == -1):
            // the compiler takes the rule set's proof (GuardProofs) instead of refusing code the analyzers accept.
            Case("sdiv-proved-by-rules", """
                public static long M(long p)
                {
                    long d = p % 27 + 3;
                    return d != 0 && d != -1 ? p % d + p / d : 0;
                }
                """, Long, Long),
        ];
        AssertAgree(cases, cpu);
    }

    [Fact]
    public void Control_flow_loops_switches_calls_and_short_circuits()
    {
        DiffCase[] cases =
        [
            Case("loop-sum", """
                public static long M(int a, int b)
                {
                    long sum = 0;
                    for (int i = 0; i < 16; i++)
                    {
                        if (i == 5) continue;
                        if ((a >> i & 1) != 0) sum += (long)i * b;
                        if (sum > 1000000) break;
                    }
                    return sum;
                }
                """, Long, Int, Int),
            Case("while-do", """
                public static uint M(uint a)
                {
                    uint n = 0;
                    while (n < 8 && (a & 1) == 0) { a >>= 1; n++; }
                    do { n += 2; } while (n < 5);
                    return n;
                }
                """, UInt, UInt),
            Case("switch", """
                public static int M(int a)
                {
                    int r = a switch { 0 => 10, 1 or 2 => 20, > 100 => 30, < -100 => 40, _ => 50 };
                    switch (a & 3)
                    {
                        case 0: r += 1; break;
                        case 1: r += 2; goto case 0;
                        default: r -= 3; break;
                    }
                    return a is >= 5 and < 9 or 42 ? r * 2 : r;
                }
                """, Int, Int),
            Case("calls", """
                public static int M(int a, int b) => Clamp(Mix(a, b), -50, 50) + Mix(b, a);
                static int Mix(int x, int y) => (x ^ (y << 3)) - (x >> 2);
                static int Clamp(int v, int lo, int hi) => v < lo ? lo : v > hi ? hi : v;
                """, Int, Int, Int),
            Case("short-circuit", """
                public static int M(int a, int b)
                {
                    int calls = 0;
                    if (a > 0 && Bump(ref calls, b) > 0 || a < -5 && Bump(ref calls, -b) > 3) return calls + 100;
                    return calls;
                }
                static int Bump(ref int c, int v) { c++; return v; }
                """, Int, Int, Int),
            // Regression (found by the random generator): the CFG captures an assignment's target before a
            // branching right-hand side; the capture must stand for the variable, not a copy of its value.
            Case("captured-target", """
                public static long M(long a, int b)
                {
                    long v = a;
                    v = (long)(v switch { 1 => 5, > 100 => v - b, _ => v + 1 });
                    int w = b;
                    w += b > 3 ? w : -w;
                    return v * 31 + w;
                }
                """, Long, Long, Int),
            Case("enums-and-inlining", """
                public enum Color : byte { Red = 1, Green = 2, Blue = 200 }
                [Flags] public enum Bits : ulong { None = 0, Low = 1, High = 1UL << 63 }
                public static int M(int a, byte b)
                {
                    Color c = (Color)b;
                    Bits bits = (a & 1) != 0 ? Bits.Low | Bits.High : Bits.None;
                    int score = c switch { Color.Red => 1, Color.Green => 2, Color.Blue => 3, _ => 0 };
                    if ((bits & Bits.High) != 0) score += 10;
                    return Twice(score) + NotInlined(c > Color.Green);
                }
                [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
                static int Twice(int x) => x * 2;
                [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
                static int NotInlined(bool big) => big ? 100 : -100;
                """, Int, Int, ScalarType.Byte),
            Case("compound", """
                public static byte M(byte a, int b)
                {
                    byte x = a;
                    x += (byte)b;
                    x <<= 1;
                    x ^= 0x5A;
                    x++;
                    x--;
                    --x;
                    return x;
                }
                """, ScalarType.Byte, ScalarType.Byte, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Globals_keep_state_across_runs_like_static_fields()
    {
        // Both sides run the inputs in the same order, so .bss/.data state accumulates identically.
        DiffCase[] cases =
        [
            Case("globals", """
                static readonly int Scale = 3;
                static readonly bool Enabled = true;
                static long Total;
                static int Seeded = 42;
                public static long M(int a)
                {
                    if (!Enabled) return -1;
                    Total += a;
                    Seeded++;
                    return Total * Scale + Seeded;
                }
                """, Long, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Spans_over_stackalloc_with_checked_indexes()
    {
        DiffCase[] cases =
        [
            Case("span-histogram", """
                public static long M(int a, int b)
                {
                    Span<int> counts = stackalloc int[8];
                    for (int i = 0; i < 16; i++)
                        counts[(a >> i) & 7] += i;
                    int k = b & 15;
                    if ((uint)k < (uint)counts.Length) counts[k] = 100;
                    return Sum(counts) * 1000 + counts.Length + Weighted(counts, b);
                }
                static long Sum(ReadOnlySpan<int> values)
                {
                    long sum = 0;
                    for (int i = 0; i < values.Length; i++) sum += values[i];
                    return sum;
                }
                static int Weighted(Span<int> values, int b) => b >= 0 && b < values.Length ? values[b] * 3 : -1;
                """, Long, Int, Int),
            Case("span-bytes", """
                public struct Pair { public short X; public byte Y; }
                public static ulong M(ulong v)
                {
                    Span<byte> bytes = stackalloc byte[8];
                    for (int i = 0; i < 8; i++) bytes[i] = (byte)(v >> (8 * i));
                    Span<Pair> pairs = stackalloc Pair[2];
                    pairs[1].X = (short)(bytes[0] | bytes[7] << 8);
                    pairs[0].Y = bytes[3];
                    ulong r = 0;
                    for (int i = 7; i >= 0; i--) r = r << 8 | (byte)(bytes[i] ^ 0x5A);
                    return r + (ulong)pairs[1].X + pairs[0].Y;
                }
                """, ULong, ULong),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Structs_are_copied_by_value()
    {
        DiffCase[] cases =
        [
            Case("struct-copy", """
                public struct Inner { public byte B; public long L; }
                public struct Outer { public int A; public Inner In; public short S; }
                public static long M(int a, long b)
                {
                    Outer o = default;
                    o.A = a;
                    o.In.L = b;
                    o.In.B = (byte)a;
                    Outer copy = o;
                    copy.In.L += 1;
                    Touch(ref o);
                    return o.In.L - copy.In.L + o.A + copy.In.B + o.S;
                }
                static void Touch(ref Outer o) { o.S = 7; o.A *= 2; Ignore(o); Split(o.A, out int hi, out var lo); o.In.B = (byte)(hi ^ lo); }
                static void Split(int v, out int hi, out int lo) { hi = v >> 16; lo = v & 0xFFFF; }
                static void Ignore(Outer copy) { copy.A = 0; copy.In.L = 0; }
                """, Long, Int, Long),
        ];
        AssertAgree(cases);
    }
}
