using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Inline arrays (checked variable and from-end indexes, ranges, conversion to spans) and foreach over spans
/// and inline arrays (break, continue, return, ref iteration variables, nesting), against the CLR.
/// </summary>
public class CollectionTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters));

    private void AssertAgree(IReadOnlyList<DiffCase> cases, string cpu = "v3") => DifferentialRunner.AssertAgree(output, cases, cpu);

    [Fact]
    public void Inline_arrays_with_checked_indexes_ranges_and_spans()
    {
        DiffCase[] cases =
        [
            Case("inline-array-index", """
                [InlineArray(8)] public struct Eight { private int _e; }
                public static long M(int a, int b)
                {
                    Eight e = default;
                    for (int i = 0; i < 8; i++) e[i] = a + i * b;
                    e[^1] = 99;
                    e[a & 7] += 1000;
                    int k = b;
                    long r = 0;
                    if ((uint)k < 8) r += e[k];
                    if (k > 0 && k <= 8) r += e[^k];
                    return r + e[0] + e[7] + Sum(e) + First(e) + FromEnd(e, k);
                }
                static long Sum(ReadOnlySpan<int> values)
                {
                    long s = 0;
                    for (int i = 0; i < values.Length; i++) s += values[i] * (i + 1);
                    return s;
                }
                static int First(in Eight e) => e[0];
                [MethodImpl(MethodImplOptions.NoInlining)]
                static int FromEnd(in Eight e, int k) => k > 0 && k <= 8 ? e[^k] : -1;
                """, Long, Int, Int),
            Case("inline-array-ranges", """
                [InlineArray(6)] public struct Six { private byte _e; }
                public static int M(int a, int b)
                {
                    Six s = default;
                    for (int i = 0; i < 6; i++) s[i] = (byte)(a >> i);
                    Span<byte> middle = s[1..4];
                    middle[0] = 7;
                    Span<byte> tail = s[^2..];
                    int lo = a & 3, hi = lo + (b & 1);
                    int r = middle.Length * 100 + tail.Length * 10 + middle[2] + tail[1];
                    Span<byte> chosen = s[lo..hi];
                    r += chosen.Length * 1000;
                    if (chosen.Length > 0) r += chosen[0];
                    Span<byte> all = s;
                    all[5] ^= 0xFF;
                    return r + s[5] + s[1];
                }
                """, Int, Int, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Foreach_over_spans_and_inline_arrays()
    {
        DiffCase[] cases =
        [
            Case("foreach-span", """
                public static long M(int a, int b)
                {
                    Span<int> values = stackalloc int[6];
                    for (int i = 0; i < values.Length; i++) values[i] = a * (i + 1) ^ b;
                    long sum = 0;
                    foreach (int v in values)
                    {
                        if (v == b) continue;
                        if (v < -1000000) break;
                        sum += v;
                    }
                    foreach (ref int v in values) v += 1;
                    ReadOnlySpan<int> view = values;
                    foreach (ref readonly int v in view) sum ^= v;
                    return sum + Find(values, b);
                }
                static int Find(ReadOnlySpan<int> values, int wanted)
                {
                    int i = 0;
                    foreach (int v in values)
                    {
                        if (v == wanted) return i;
                        i++;
                    }
                    return -1;
                }
                """, Long, Int, Int),
            Case("foreach-inline-array-nested", """
                [InlineArray(4)] public struct Four { private short _e; }
                public static long M(short a, int b)
                {
                    Four f = default;
                    int n = 0;
                    foreach (ref short x in f) x = (short)(a + n++ * b);
                    long r = 0;
                    foreach (short x in f)
                        foreach (short y in f)
                            r += x * y + (x > y ? 1 : 0);
                    foreach (var x in (ReadOnlySpan<short>)f) r -= x;
                    return r;
                }
                """, Long, Short, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Span_slices_ranges_and_from_end_indexes()
    {
        DiffCase[] cases =
        [
            Case("span-slices", """
                public static long M(int a, int b)
                {
                    Span<int> s = stackalloc int[8];
                    for (int i = 0; i < s.Length; i++) s[i] = a - i * b;
                    Span<int> middle = s[2..6];
                    Span<int> tail = s.Slice(5);
                    ReadOnlySpan<int> pair = s.Slice(1, 2);
                    long r = middle.Length * 1000 + tail.Length * 100 + pair.Length * 10 + s[^1] + middle[^1] + tail[0] + pair[1];
                    int start = b & 7, count = a & 7;
                    if (start + count <= s.Length)
                    {
                        Span<int> chosen = s.Slice(start, count);
                        r += chosen.Length;
                        if (count > 0) r ^= chosen[0];
                    }
                    if (count <= 6)
                        foreach (int v in s.Slice(2, count)) r ^= v;
                    int k = a & 15;
                    if (k > 0 && k <= s.Length) r += s[^k];
                    return r + Sum(s[3..]);
                }
                static long Sum(ReadOnlySpan<int> values)
                {
                    long sum = 0;
                    foreach (int v in values) sum += v;
                    return sum;
                }
                """, Long, Int, Int),
        ];
        AssertAgree(cases);
    }
}
