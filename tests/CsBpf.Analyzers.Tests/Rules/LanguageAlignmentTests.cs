using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>
/// The rule set accepts what the compiler lowers and refuses, with the compiler's ID, what it does not (issue 6:
/// "analyzer-clean" means "the compiler accepts it"): pointers and pointer arithmetic, Unsafe members, span
/// slices, ranges and indexes from the end, inline arrays as spans, Bpf.Loop callbacks, and the proofs of the
/// checks C# makes on those forms. tests/CsBpf.Compiler.Tests compiles and runs the same constructs.
/// </summary>
public class LanguageAlignmentTests
{
    private const string Types = """
        public unsafe struct Record { public int Kind; public fixed byte Name[16]; }
        [InlineArray(8)] public struct Eight { private long _e; }
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
        public struct Union { [System.Runtime.InteropServices.FieldOffset(0)] public uint A; [System.Runtime.InteropServices.FieldOffset(0)] public ulong B; }
        public struct Pair { public int A; public int B; }

        """;

    /// <summary>The program of <see cref="RuleTest.Program"/> with the test types, in an unsafe class.</summary>
    private static string Unsafe(string body, string members = "") => WithTypes(Program(body, members))
        .Replace("public static partial class P", "public static unsafe partial class P");

    private static string WithTypes(string program) => program.Replace("[BpfProgram(", Types + "[BpfProgram(");

    private static Task Language(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<UnsupportedConstructAnalyzer>(source, expected);

    private static Task Flow(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<FlowRulesAnalyzer>(source, expected);

    private static Task Stack(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<CallGraphAnalyzer>(source, expected);

    // ---- constructs the compiler lowers ----

    [Fact]
    public Task Pointers_and_Unsafe_members_are_clean() => Language(Unsafe("""
                int x = (int)Bpf.GetSmpProcessorId();
                int* p = &x;
                byte* b = (byte*)p + 1;
                long d = (int*)b - p;
                p += 1; p--; *p = 3;
                Record r = default;
                byte* name = r.Name;
                name[x & 15] = 1;
                Span<byte> pinned = stackalloc byte[4];
                fixed (byte* f = pinned) { f[0] = 2; }
                long* buffer = stackalloc long[4];
                ref int a = ref Unsafe.Add(ref x, 0);
                a = Unsafe.As<long, int>(ref buffer[0]) + Unsafe.SizeOf<Record>() + sizeof(Union);
                Unsafe.Write(buffer + 1, 5L);
                long y = Unsafe.Read<long>(buffer + 1) + Unsafe.ReadUnaligned<long>((byte*)buffer + 3);
                Unsafe.InitBlock(buffer, 0, 16);
                Unsafe.CopyBlock(buffer, buffer + 2, 8);
                uint u = Unsafe.BitCast<int, uint>(x);
                bool same = Unsafe.AreSame(ref x, ref a) || Unsafe.IsAddressLessThan(ref x, ref a);
                Counts.Update(1, (ulong)(d + y + u + (same ? 1 : 0)));
        """));

    [Fact]
    public Task Spans_ranges_inline_arrays_and_loops_are_clean() => Language(Program("""
                Span<int> s = stackalloc int[8];
                Span<int> tail = s.Slice(5);
                ReadOnlySpan<int> pair = s.Slice(1, 2);
                Span<int> middle = s[2..6];
                TaskComm comm = default;
                Span<byte> bytes = comm;
                Span<byte> rest = comm[1..];
                int acc = 0;
                foreach (int v in s[..4]) acc += v;
                long n = Bpf.Loop(4, Step, ref acc);
                Counts.Update(1, (ulong)(tail[0] + pair[1] + middle[^1] + s[^2] + bytes[0] + rest[^1] + comm[^1] + n));
        """, """
            static long Step(uint index, ref int acc) { acc += (int)index; return 0; }
        """));

    [Fact]
    public Task Explicit_layouts_are_clean() => Language(WithTypes(Program("""
                Union u = default;
                u.A = 5;
                Counts.Update(1, u.B);
        """)));

    // ---- and what it refuses, with its ID ----

    [Fact]
    public Task Bpf_Loop_callbacks_are_static_methods_of_the_project_or_static_lambdas() => Language(Program("""
                int acc = 0;
                long a = Bpf.Loop(4, {|CSBPF1001:(uint k, ref int c) => 0|}, ref acc);
                long b = Bpf.Loop(4, Host.Step, ref acc);
                long c = Bpf.Loop(4, static (uint k, ref int c) => { c += (int)k; return 0; }, ref acc);
        """, """
            static class Host { public static long Step(uint index, ref int acc) => 0; }
        """));

    [Theory]
    [InlineData("Range r = {|CSBPF1001:1..2|};")]
    [InlineData("Index i = {|CSBPF1001:^1|};")]
    [InlineData("Index i = {|CSBPF1003:3|};")]
    [InlineData("int n = (int)Bpf.GetSmpProcessorId(); Span<int> s = {|CSBPF1001:stackalloc int[n & 3]|};")]
    [InlineData("Span<int> s = {|CSBPF1001:stackalloc int[] { 1, 2 }|};")]
    [InlineData("long* p = stackalloc long[2]; checked { {|CSBPF1001:p += 1|}; }")]
    [InlineData("long* p = stackalloc long[2]; {|CSBPF1001:Unsafe.CopyBlock(p, p + 1, (uint)Bpf.GetSmpProcessorId())|};")]
    [InlineData("int x = 1; long y = {|CSBPF1001:Unsafe.BitCast<int, long>(x)|};")]
    public Task Refused_forms_have_the_compiler_s_ID(string statement) => Language(Unsafe(statement));

    // ---- proofs of the checks C# makes ----

    [Fact]
    public Task Proven_indexes_ranges_and_slices_are_clean() => Flow(Unsafe("""
                int i = (int)Bpf.GetSmpProcessorId();
                Eight e = default;
                e[i & 7] = 1; e[^1] = 2;
                if ((uint)i < 8) e[i] = 3;
                if (i >= 0 && i <= 8) { Span<long> part = e[i..]; }
                Span<int> s = stackalloc int[8];
                Span<int> tail = s.Slice(5);
                tail[2] = 1;
                int k = i & 15;
                if (k > 0 && k <= s.Length) s[^k] = 1;
                int n = i & 7;
                Span<int> first = s.Slice(0, n);
                if (n > 2) first[2] = 1;
                if (first.Length > 3) first[3] = 1;
                Span<int> head = s[..n];
                if (head.Length > 0) head[0] = 1;
                Record r = default;
                r.Name[i & 15] = 1;
                if ((uint)i < 16) r.Name[i] = 2;
        """));

    [Fact]
    public Task Unproven_indexes_ranges_and_slices_are_flagged() => Flow(Unsafe("""
                int i = (int)Bpf.GetSmpProcessorId();
                Eight e = default;
                {|#0:e[i]|} = 1;
                Span<long> part = {|#1:e[i..]|};
                Span<int> s = stackalloc int[8];
                Span<int> tail = {|#2:s.Slice(i & 15)|};
                int n = i & 7;
                Span<int> first = s.Slice(0, n);
                {|#3:first[2]|} = 1;
                {|#4:s[^(i & 15)]|} = 0;
                Record r = default;
                {|#5:r.Name[i]|} = 1;
        """),
        Expect("CSBPF0019", 0).WithArguments("The inline array index may be out of range", "C# throws IndexOutOfRangeException there; test it first, e.g. if ((uint)i < 8) ..."),
        Expect("CSBPF0019", 1).WithArguments("The range may be out of bounds", "C# throws ArgumentOutOfRangeException unless 0 <= start <= end <= length; test the bounds first"),
        Expect("CSBPF0019", 2).WithArguments("The slice may be out of bounds", "C# throws ArgumentOutOfRangeException unless start + length <= span.Length; test the bounds first"),
        Expect("CSBPF0019", 3).WithArguments("The index '2' may be out of range", "C# throws IndexOutOfRangeException there; test it first, e.g. if ((uint)i < (uint)span.Length) ..."),
        Expect("CSBPF0019", 4).WithArguments("The span index may be out of range", "C# throws IndexOutOfRangeException there; test it first, e.g. if (k > 0 && k <= span.Length) ..."),
        Expect("CSBPF0019", 5).WithArguments("The fixed buffer index may be out of range", "C# does not check fixed buffer indexes, so an index outside the 16 elements corrupts memory on the CLR and the verifier rejects it; test it first, e.g. if ((uint)i < 16) ..."));

    [Fact]
    public Task Checks_relating_two_unknowns_are_left_to_the_compiler_s_proof() => Flow(Program("""
                int i = (int)Bpf.GetSmpProcessorId();
                Span<int> s = stackalloc int[8];
                int lo = i & 3, hi = lo + ((i >> 2) & 1);
                Span<int> chosen = s[lo..hi];
                int start = (i >> 4) & 7, count = (i >> 8) & 7;
                if (start + count <= s.Length) { Span<int> part = s.Slice(start, count); }
        """));

    [Fact]
    public Task A_variable_whose_address_is_taken_keeps_its_tests_until_a_write_through_a_pointer() => Flow(Unsafe("""
                int d = (int)Bpf.GetSmpProcessorId();
                int* p = &d;
                if (d > 0) Counts.Update(1, (ulong)(100 / d));
                if (d > 0) { *p = 0; Counts.Update(2, (ulong)(100 / {|#0:d|})); }
        """).Replace("100 / {|#0:d|}", "{|#0:100 / d|}"),
        Expect("CSBPF0017", 0).WithArguments("d"));

    [Fact]
    public Task An_or_with_an_odd_constant_is_never_zero() => Flow(Program("""
                int i = (int)Bpf.GetSmpProcessorId(), k = (int)Bpf.KtimeGetNs();
                Counts.Update(1, (ulong)({|CSBPF0018:k / (i | 1)|}));
                Counts.Update(2, (ulong)((uint)k / ((uint)i | 1)));
        """));

    [Fact]
    public Task Loops_bounded_by_a_sizeof_argument_are_clean() => Flow(Unsafe("""
                Union u = default;
                Counts.Update(1, Digest((byte*)&u, sizeof(Union)) + Digest((byte*)&u, Unsafe.SizeOf<Pair>()));
        """, """
            static ulong Digest(byte* p, int size)
            {
                ulong h = (ulong)size;
                for (int i = 0; i < size; i++) h = h * 31 ^ p[i];
                return h;
            }
        """));

    // ---- the stack ----

    [Fact]
    public Task Locals_of_sibling_scopes_share_their_slots() => Stack(Program("""
                long n = 0;
                { Wide a = default; Touch(ref a); n += a.L; }
                { Wide b = default; Touch(ref b); n += b.L; }
                { Wide c = default; Touch(ref c); n += c.L; }
                for (int i = 0; i < 2; i++) { Wide d = default; Touch(ref d); n += d.L; }
                if (n > 0) { Wide e = default; Touch(ref e); n += e.L; } else { Wide f = default; Touch(ref f); n += f.L; }
                Counts.Update(1, (ulong)n);
        """, """
            public struct Wide { public long A, B, C, D, E, F, G, H, I, J, K, L; }
            static void Touch(ref Wide w) { w.L = w.A * 7; }
        """));

    [Fact]
    public Task Locals_of_one_scope_add_up() => AnalyzeAsync<CallGraphAnalyzer>(Program("""
                long n = 0;
                Wide a = default, b = default, c = default, d = default, e = default, f = default;
                Touch(ref a); Touch(ref b); Touch(ref c); Touch(ref d); Touch(ref e); Touch(ref f);
                Counts.Update(1, (ulong)(a.L + b.L + c.L + d.L + e.L + f.L));
        """, """
            public struct Wide { public long A, B, C, D, E, F, G, H, I, J, K, L; }
            static void Touch(ref Wide w) { w.L = w.A * 7; }
        """).Replace("static int Prog(", "static int {|CSBPF0015:Prog|}("));

    [Fact]
    public Task Pointer_stackalloc_counts_and_a_loop_callback_s_frame_is_in_the_chain() => Stack(Unsafe("""
                byte* a = stackalloc byte[300];
                ulong acc = a[(int)Bpf.GetSmpProcessorId() & 255];
                Bpf.Loop(2, Step, ref acc);
                Counts.Update(1, acc);
        """, """
            static long Step(uint index, ref ulong acc)
            {
                byte* b = stackalloc byte[300];
                b[index & 255] = 1;
                acc += b[3];
                return 0;
            }
        """).Replace("static int Prog(", "static int {|CSBPF0015:Prog|}("));
}
