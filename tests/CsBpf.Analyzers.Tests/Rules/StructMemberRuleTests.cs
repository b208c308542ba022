using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>
/// The rule set and the language agree on struct members and helper libraries: constructors, initializers,
/// <c>with</c>, instance methods, properties, indexers, user-defined operators and conversions, struct results and
/// methods of other classes in the project are BPF code (clean); generic members, instance members of classes and
/// members without source in the project are flagged with the IDs and messages the compiler uses
/// (<see cref="BpfFunctions"/>).
/// </summary>
public class StructMemberRuleTests
{
    private static Task Analyze(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<UnsupportedConstructAnalyzer>(source, expected);

    private const string Types = """
        public struct Money
        {
            public long Cents;
            public Money(long cents) { Cents = cents; }
            public Money(int dollars, int cents) : this(dollars * 100L + cents) { }
            public long Dollars { readonly get => Cents / 100; set => Cents = value * 100 + Cents % 100; }
            public int Flags { get; set; }
            public readonly long this[int i] => (Cents >> (i & 63)) & 1;
            public void Add(long c) => Cents += c;
            public readonly Money Doubled() => new Money(Cents * 2);
            public static Money Zero => default;
            public static Money operator +(Money a, Money b) => new Money(a.Cents + b.Cents);
            public static bool operator ==(Money a, Money b) => a.Cents == b.Cents;
            public static bool operator !=(Money a, Money b) => a.Cents != b.Cents;
            public static implicit operator long(Money m) => m.Cents;
            public static explicit operator Money(int d) => new Money(d * 100L);
            public override readonly bool Equals(object? o) => false;
            public override readonly int GetHashCode() => 0;
        }
        public struct Window(uint start, uint length)
        {
            public uint Start = start;
            public readonly uint End => Start + length;
        }
        public static class PacketMath
        {
            public static uint Fold(ulong v) => (uint)(v ^ (v >> 32));
            public static long Twice(this in Money m) => m.Cents * 2;
            public static T Same<T>(T v) => v;
        }
        public class Box { public int Get() => 1; }
        """;

    [Fact]
    public Task Struct_members_operators_and_helper_libraries_are_BPF_code() => Analyze(Program("""
                uint pid = Bpf.GetSmpProcessorId();
                var m = new Money(pid) { Flags = 3 };
                var n = new Money(1, 2);
                m.Add(5);
                m.Dollars += 2;
                m.Flags++;
                Money sum = m + n.Doubled() + Money.Zero;
                Money copy = sum with { Flags = 1 };
                long cents = sum;
                var d = (Money)7;
                bool same = m == d || m != copy;
                var w = new Window(pid, 16);
                ulong r = (ulong)(cents + m[3] + w.End + PacketMath.Fold(pid) + m.Twice() + (same ? 1 : 0));
                unsafe
                {
                    ulong* p = &r;
                    p = p + 1;
                    p--;
                    r = *p + (ulong)Unsafe.SizeOf<Money>();
                }
                Span<int> s = stackalloc int[8];
                Span<int> tail = s.Slice(2);
                r += (ulong)(tail[^1] + s[1..3].Length);
                long steps = Bpf.Loop(4, Step, ref r);
                steps += Bpf.Loop(4, static (uint i, ref ulong acc) => { acc += PacketMath.Fold(i); return 0; }, ref r);
                Counts.Update(pid, r + (ulong)steps);
        """, """
            static long Step(uint i, ref ulong acc) { acc += i; return 0; }
            static Money Make(long c) => new Money(c);
        """) + Types);

    [Fact]
    public Task Generic_members_and_instance_members_of_classes_are_flagged_as_the_compiler_does() => Analyze(Program("""
                uint pid = Bpf.GetSmpProcessorId();
                uint same = {|#0:PacketMath.Same(pid)|};
                Counts.Update(pid, same + (ulong)Use(null!));
        """, """
            static int Use(Box b) => {|#1:b.Get()|};
        """) + Types,
        Expect("CSBPF1030", 0).WithArguments("PacketMath.Same<uint>(uint)"),
        Expect("CSBPF1031", 1).WithArguments("Box.Get()", "Box"));

    [Fact]
    public Task A_Bpf_Loop_lambda_must_be_static() => Analyze(Program("""
                ulong r = 0;
                long n = Bpf.Loop(4, {|#0:(uint i, ref ulong acc) => 0|}, ref r);
                Counts.Update(1, r + (ulong)n);
        """),
        Expect("CSBPF1001", 0).WithArguments("a Bpf.Loop callback lambda that is not static",
            "mark it static, e.g. Bpf.Loop(n, static (uint i, ref T state) => ..., ref state): a static lambda captures no variables, so it is a plain BPF function"));

    [Fact]
    public Task Members_without_source_in_the_project_are_CSBPF1003() => Analyze(Program("""
                var k = new LpmKey<uint>(8, 10);
                bool same = {|#0:k == k|};
                var t = {|#1:new TimeSpan(1)|};
                Counts.Update(1, same ? 1UL : Sum(default));
        """, """
            static ulong Sum(System.Collections.Generic.KeyValuePair<uint, ulong> kv) { {|#2:var (k, v) = kv|}; return k + v; }
        """),
        Expect("CSBPF1003", 0).WithArguments("CsBpf.LpmKey<uint>.operator ==(CsBpf.LpmKey<uint>, CsBpf.LpmKey<uint>)"),
        Expect("CSBPF1003", 1).WithArguments("System.TimeSpan.TimeSpan(long)"),
        Expect("CSBPF1003", 2).WithArguments("System.Collections.Generic.KeyValuePair<uint, ulong>.Deconstruct(out uint, out ulong)"));
}
