using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Struct constructors, initializers, instance members, properties, operators, extension methods and helper
/// libraries: each case runs on the CLR and, compiled to a syscall program, in the kernel; the results must be
/// equal. The cases read back what C# defines exactly — which storage a mutating method changed (the variable, or
/// the copy C# makes for a readonly one), the order and count of accessor calls, the bytes of the resulting struct.
/// </summary>
public class StructMemberTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters, cap: 120));

    private void AssertAgree(IReadOnlyList<DiffCase> cases, string cpu = "v3") => DifferentialRunner.AssertAgree(output, cases, cpu);

    private const string Digest = LayoutTests.Digest;

    [Fact]
    public void Constructors_chained_constructors_field_initializers_and_object_initializers()
    {
        DiffCase[] cases =
        [
            Case("ctor-chain-init", """
                public struct Point
                {
                    public int X;
                    public int Y;
                    public long Tag = 7;
                    public Point(int x, int y) { X = x; Y = y; }
                    public Point(int v) : this(v, v * 2) { Tag += 3; }
                    public Point() { X = 5; }
                    public Point(short s) : this() { Y = s; }
                }
                public static unsafe ulong M(int a, int b)
                {
                    var p = new Point(a, b);
                    var q = new Point(a) { Y = b };
                    var r = new Point();
                    Point s = default;
                    var t = new Point(b, a) { Tag = a, X = b ^ a };
                    Point u = new((short)b);
                    Point v = new() { Y = 1 };
                    return Digest((byte*)&p, sizeof(Point)) ^ Digest((byte*)&q, sizeof(Point)) * 3 ^ Digest((byte*)&r, sizeof(Point)) * 5
                        ^ Digest((byte*)&s, sizeof(Point)) * 7 ^ Digest((byte*)&t, sizeof(Point)) * 11 ^ Digest((byte*)&u, sizeof(Point)) * 13
                        ^ Digest((byte*)&v, sizeof(Point)) * 17;
                }
                """ + Digest, ULong, Int, Int),
            Case("ctor-auto-default-and-this", """
                public struct Span2
                {
                    public uint Start;
                    public uint Length;
                    public byte Flags { get; set; } = 9;
                    public Span2(uint start, uint end)
                    {
                        Start = start;
                        if (end > start) Length = end - start;   // otherwise stays 0 (auto-default)
                    }
                    public void Reset() => this = default;
                    public void Set(uint s) { this = new Span2(s, s + 10); Flags++; }
                }
                public static unsafe ulong M(uint a, uint b)
                {
                    var x = new Span2(a, b);
                    var y = x;
                    y.Set(b);
                    var z = y;
                    z.Reset();
                    return Digest((byte*)&x, sizeof(Span2)) ^ Digest((byte*)&y, sizeof(Span2)) * 3 ^ Digest((byte*)&z, sizeof(Span2)) * 5;
                }
                """ + Digest, ULong, UInt, UInt),
            Case("primary-constructor", """
                public struct Window(uint start, uint length)
                {
                    public uint Start = start;
                    public readonly uint End => Start + length;
                    public readonly bool Contains(uint v) => v - Start < length;
                    public void Grow(uint by) { length += by; }
                    public readonly uint Length => length;
                }
                public struct Plain(int a) { public int A = a * 2; public byte B = (byte)a; }
                public static unsafe ulong M(uint a, uint b, uint v)
                {
                    var w = new Window(a, b & 0xFFFF);
                    ulong result = w.End;
                    if (w.Contains(v)) result += 1000;
                    w.Grow(5);
                    result = result * 31 + w.End + w.Length;
                    var p = new Plain((int)v);
                    return result ^ Digest((byte*)&w, sizeof(Window)) ^ Digest((byte*)&p, sizeof(Plain)) * 7;
                }
                """ + Digest, ULong, UInt, UInt, UInt),
            Case("library-fieldwise-constructor", """
                // LpmKey's constructor has no source here: [FieldwiseConstructor] defines it (the key bytes decide the lookups).
                [Map] static readonly HashMap<LpmKey<uint>, ulong> Routes = new(maxEntries: 8);
                public static ulong M(uint addr, byte len)
                {
                    Routes.Update(new LpmKey<uint>(8, 0x0000000A), 8);
                    Routes.Update(new LpmKey<uint>((uint)(len & 31), addr), 100 + (ulong)(len & 31));
                    var key = new LpmKey<uint>(len & 31u, addr);
                    ulong found = Routes.TryGetValue(key, out ulong v) ? v : 0;
                    ulong ten = Routes.TryGetValue(new LpmKey<uint>(8, 10), out ulong w) ? w : 0;
                    return found * 1000 + ten * 7 + key.PrefixLength + (ulong)key.Data;
                }
                """, ULong, UInt, ScalarType.Byte),
            Case("nested-initializers", """
                public struct Inner { public int A; public short B; }
                public struct Outer { public byte Kind; public Inner In; public long Total; }
                public static unsafe ulong M(int a, byte k)
                {
                    var o = new Outer { Kind = k, In = new Inner { A = a, B = (short)(a >> 16) }, Total = a * 3L };
                    var o2 = new Outer { In = { A = a + 1 }, Kind = (byte)(k ^ 1) };
                    return Digest((byte*)&o, sizeof(Outer)) ^ Digest((byte*)&o2, sizeof(Outer)) * 3;
                }
                """ + Digest, ULong, Int, ScalarType.Byte),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Instance_methods_change_the_storage_CSharp_says_and_copy_readonly_receivers()
    {
        DiffCase[] cases =
        [
            Case("mutating-and-readonly-receivers", """
                public struct Counter
                {
                    public long N;
                    public void Inc() => N++;
                    public void Add(long v) { N += v; Inc(); }
                    public readonly long Peek() => N;
                    public readonly long PeekAfterInc() { Inc(); return N; }   // a defensive copy of this
                }
                public struct Holder
                {
                    public readonly Counter RO;
                    public Counter RW;
                    public Holder(long n) { RO = new Counter { N = n }; RO.Inc(); RW = RO; }
                }
                static readonly Counter Global;
                static void ByIn(in Counter c) { c.Inc(); }
                static void ByRef(ref Counter c) { c.Add(2); }
                public static long M(long a)
                {
                    var h = new Holder(a);
                    h.RO.Inc();
                    h.RW.Inc();
                    h.RW.Add(a & 0xFF);
                    ByIn(in h.RW);
                    ByRef(ref h.RW);
                    ref readonly Counter r = ref h.RW;
                    r.Inc();
                    ref Counter w = ref h.RW;
                    w.Inc();
                    Span<Counter> s = stackalloc Counter[2];
                    foreach (var c in s) c.Inc();
                    foreach (ref var c in s) c.Add(3);
                    s[1].Inc();
                    Global.Inc();
                    long peek = h.RW.PeekAfterInc();
                    return h.RO.N * 1000 + h.RW.N * 10 + s[0].N + s[1].N * 7 + Global.N + peek * 100000;
                }
                """, Long, Long),
            Case("methods-on-map-values", """
                public struct Stats
                {
                    public ulong Count;
                    public ulong Sum;
                    public ulong Max;
                    public void Record(ulong v) { Count++; Sum += v; if (v > Max) Max = v; }
                    public readonly ulong Mean() => Count == 0 ? 0 : Sum / Count;
                }
                [Map] static readonly HashMap<uint, Stats> Table = new(maxEntries: 16);
                public static ulong M(uint key, ulong v)
                {
                    uint k = key & 3;
                    ref Stats s = ref Table.GetValueRefOrNullRef(k);
                    if (Unsafe.IsNullRef(ref s))
                    {
                        var fresh = new Stats();
                        fresh.Record(v);
                        Table.Update(k, fresh);
                        return fresh.Mean();
                    }
                    s.Record(v >> 8);
                    return s.Mean() * 3 + s.Count;
                }
                """, ULong, UInt, ULong),
            Case("struct-results-and-with", """
                public struct Pair
                {
                    public long A;
                    public int B;
                    public static Pair Make(long a, int b) => new Pair { A = a, B = b };
                    public readonly Pair Swap() => new Pair { A = B, B = (int)A };
                    public readonly Pair Twice => new Pair { A = A * 2, B = B * 2 };
                }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static Pair Build(long a, int b) { var p = Pair.Make(a, b); return p with { B = b + 1 }; }
                public static unsafe ulong M(long a, int b)
                {
                    var p = Build(a, b);
                    var q = p.Swap();
                    var r = q with { A = 9 };
                    var t = p.Twice.Twice;
                    long fromCall = Build(b, (int)a).A;
                    return Digest((byte*)&p, sizeof(Pair)) ^ Digest((byte*)&q, sizeof(Pair)) * 3 ^ Digest((byte*)&r, sizeof(Pair)) * 5
                        ^ Digest((byte*)&t, sizeof(Pair)) * 7 ^ (ulong)fromCall;
                }
                """ + Digest, ULong, Long, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Properties_indexers_and_static_members()
    {
        DiffCase[] cases =
        [
            Case("properties-indexers", """
                public struct Bits
                {
                    private ulong _v;
                    public int Writes { get; private set; }
                    public ulong Value { readonly get => _v; set { _v = value; Writes++; } }
                    public bool this[int i]
                    {
                        readonly get => ((_v >> (i & 63)) & 1) != 0;
                        set { if (value) _v |= 1UL << (i & 63); else _v &= ~(1UL << (i & 63)); Writes++; }
                    }
                    public ulong Low { readonly get => _v & 0xFFFF; set => _v = (_v & ~0xFFFFUL) | (value & 0xFFFF); }
                    public static int Width => 64;
                    public static ulong Mask(int n) => n >= 64 ? ulong.MaxValue : (1UL << n) - 1;
                    public void Touch() => Writes += 100;
                }
                public static unsafe ulong M(ulong a, int i)
                {
                    var b = new Bits { Value = a };
                    b[i] = !b[i];
                    b[i + 1] ^= true;
                    b.Value += 3;
                    b.Low++;
                    ulong low = b.Low--;
                    b.Touch();
                    return b.Value * 31 + (ulong)b.Writes * 7 + (ulong)Bits.Width + Bits.Mask(i & 127) + low + Digest((byte*)&b, sizeof(Bits));
                }
                """ + Digest, ULong, ULong, Int),
            Case("field-keyword-and-ref-properties", """
                public unsafe struct Buffer
                {
                    public fixed byte Data[8];
                    public int Hits { get; set => field = value < 0 ? 0 : value; }
                    public ref byte this[int i] => ref Data[i & 7];
                    public ref int HitsRef => ref Unsafe.AsRef(in _hits);
                    private int _hits;
                }
                public static int M(int a, int i)
                {
                    var b = new Buffer();
                    b[i] = (byte)a;
                    b[i + 1] += 5;
                    ref byte r = ref b[i + 2];
                    r = 9;
                    b.Hits = a;
                    b.Hits -= 2;
                    b.HitsRef += 4;
                    return b[0] + b[1] * 3 + b[2] * 5 + b[i] * 7 + b.Hits * 11 + b.HitsRef * 13;
                }
                """, Int, Int, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void User_defined_operators_and_conversions()
    {
        DiffCase[] cases =
        [
            Case("money", """
                public struct Money
                {
                    public long Cents;
                    public Money(long cents) { Cents = cents; }
                    public static Money operator +(Money a, Money b) => new Money(a.Cents + b.Cents);
                    public static Money operator -(Money a) => new Money(-a.Cents);
                    public static Money operator *(Money a, int k) => new Money(a.Cents * k);
                    public static bool operator ==(Money a, Money b) => a.Cents == b.Cents;
                    public static bool operator !=(Money a, Money b) => !(a == b);
                    public static bool operator <(in Money a, in Money b) => a.Cents < b.Cents;
                    public static bool operator >(in Money a, in Money b) => a.Cents > b.Cents;
                    public static Money operator ++(Money a) => new Money(a.Cents + 100);
                    public static bool operator true(Money a) => a.Cents != 0;
                    public static bool operator false(Money a) => a.Cents == 0;
                    public static implicit operator long(Money m) => m.Cents;
                    public static explicit operator Money(int dollars) => new Money(dollars * 100L);
                    public override readonly bool Equals(object? o) => false;
                    public override readonly int GetHashCode() => 0;
                }
                public static long M(long a, int d)
                {
                    Money x = new Money(a);
                    var y = (Money)d;
                    var z = x + y * 3;
                    z += -x;
                    Money w = z++;
                    ++z;
                    long l = z;
                    long score = 0;
                    if (z) score += 1;
                    if (x < y) score += 10;
                    if (x > y) score += 20;
                    if (z == w) score += 40;
                    if (x != y) score += 80;
                    return l * 3 + w + score * 1000;
                }
                """, Long, Long, Int),
            Case("flags-operators", """
                public readonly struct Flags(uint bits)
                {
                    public readonly uint Bits = bits;
                    public static Flags operator |(Flags a, Flags b) => new(a.Bits | b.Bits);
                    public static Flags operator &(Flags a, Flags b) => new(a.Bits & b.Bits);
                    public static Flags operator ~(Flags a) => new(~a.Bits);
                    public static Flags operator <<(Flags a, int n) => new(a.Bits << n);
                    public static implicit operator Flags(byte b) => new(b);
                    public static explicit operator uint(Flags f) => f.Bits;
                    public bool Has(Flags f) => (Bits & f.Bits) == f.Bits;
                    public static bool operator true(Flags f) { Calls++; return f.Bits != 0; }
                    public static bool operator false(Flags f) { Calls++; return f.Bits == 0; }
                }
                static uint Calls;
                public static uint M(uint a, byte b, int n)
                {
                    Calls = 0;
                    Flags f = new Flags(a);
                    Flags g = b;
                    Flags h = (f | g) & ~(g << n);
                    h |= (byte)1;
                    Flags both = f && g;       // operator false(f), then f & g
                    Flags either = f || g;     // operator true(f), then f | g
                    uint score = 0;
                    if (f && g) score += 1;
                    if (g || f) score += 2;
                    return (uint)h + (h.Has(g) ? 1u << 31 : 0) + (uint)both * 3 + (uint)either * 5 + score * 7 + Calls * 11;
                }
                """, UInt, UInt, ScalarType.Byte, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Helper_libraries_and_extension_methods_outside_the_program_class()
    {
        DiffCase[] cases =
        [
            Case("library", """
                public static long M(long a, int b)
                {
                    var acc = new Acc();
                    acc.Add(a);
                    acc.Add(b);
                    acc.Scale(3);
                    long t = acc.Total();
                    return t + PacketMath.Fold((ulong)a) + b.Clamp(-5, 5) + PacketMath.Checksum(a, b) + new Acc(7).Total();
                }
                """, Long, Long, Int) with
            {
                TopLevel = """
                    public static class PacketMath
                    {
                        public static uint Fold(ulong v) => (uint)(v ^ (v >> 32));
                        public static int Clamp(this int v, int lo, int hi) => v < lo ? lo : v > hi ? hi : v;
                        public static void Scale(this ref Acc acc, long by) { acc.Sum *= by; acc.Count++; }
                        public static long Total(this in Acc acc) => acc.Sum + acc.Count;
                        [MethodImpl(MethodImplOptions.NoInlining)]
                        public static ushort Checksum(long a, int b)
                        {
                            uint sum = 0;
                            for (int i = 0; i < 4; i++) sum += (ushort)(a >> (16 * i));
                            sum += (uint)(ushort)b + (ushort)(b >> 16);
                            while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
                            return (ushort)~sum;
                        }
                    }
                    public struct Acc
                    {
                        public long Sum;
                        public long Count;
                        public Acc(long start) { Sum = start; }
                        public void Add(long v) { Sum += v; Count++; }
                    }
                    """,
            },
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Value_tuples_and_deconstruction()
    {
        DiffCase[] cases =
        [
            Case("tuples", """
                public struct Point
                {
                    public int X, Y;
                    public Point(int x, int y) { X = x; Y = y; }
                    public readonly void Deconstruct(out int x, out int y) { x = X; y = Y; }
                }
                static (uint pid, ulong ts) Split(ulong v) => ((uint)(v >> 32), v & 0xFFFF);
                [MethodImpl(MethodImplOptions.NoInlining)]
                static (long, int) Pair(long a, int b) => (a + b, b * 2);
                static void Fill(out (int a, long b) r, int v) { r = (v, v * 3L); }
                public static long M(long a, int b)
                {
                    var (pid, ts) = Split((ulong)a);
                    (uint pb, _) = Split((ulong)b);
                    (long x, int y) = Pair(a, b);
                    var p = new Point(b, (int)a);
                    var (px, py) = p;
                    (px, py) = (py, px);
                    Fill(out var r, b);
                    (long, long) wide = (b, r.a);
                    var t = (a: pid, b: ts);
                    t.a += 1;
                    bool same = t == (pid + 1, ts);
                    bool differs = (px, py) != (py, px);
                    var (q, (s, u)) = (1, (b, 2L));
                    int dx = 0, dy = 0;
                    (dx, dy) = p;
                    var p1 = new Point(1, b);
                    var p2 = new Point(3, (int)a);
                    (p1, p2) = (p2, p1);
                    var (lo, hi) = new Range16((ushort)b);
                    return pid + (long)ts * 3 + pb + x * 5 + y + px * 7 + py * 11 + r.a + r.b + wide.Item1 + wide.Item2 + (same ? 100 : 0) + (differs ? 1000 : 0)
                        + q + s + u + dx * 13 + dy + p1.X * 17 + p1.Y * 19 + p2.X * 23 + p2.Y + lo * 29 + hi;
                }
                """, Long, Long, Int) with
            {
                TopLevel = """
                    public readonly struct Range16(ushort v) { public readonly ushort V = v; }
                    public static class Range16Extensions
                    {
                        public static void Deconstruct(this Range16 r, out byte lo, out byte hi) { lo = (byte)r.V; hi = (byte)(r.V >> 8); }
                    }
                    """,
            },
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Discards()
    {
        DiffCase[] cases =
        [
            Case("discards", """
                static int Split(long v, out int high, out int low) { high = (int)(v >> 32); low = (int)v; return high ^ low; }
                static long Counter;
                static long Bump() => ++Counter;
                public static long M(long a)
                {
                    int x = Split(a, out _, out int low);
                    _ = Split(a + 1, out var h, out _);
                    _ = Bump();
                    _ = Bump();
                    Split(low, out _, out _);
                    return x + low * 3L + h * 5L + Counter;
                }
                """, Long, Long),
        ];
        AssertAgree(cases);
    }
}
