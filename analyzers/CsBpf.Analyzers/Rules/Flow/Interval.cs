using System;
using System.Collections.Generic;
using System.Numerics;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Rules.Flow
{
    /// <summary>
    /// The values an integer expression may have: a closed range of mathematical integers (so long and ulong
    /// fit) with a few excluded interior points ("holes": after <c>d != 0</c> and <c>d != -1</c>, the two values
    /// a division cares about). Operations wrap to the full range of their C# type when the exact result could
    /// leave it (C#'s unchecked semantics).
    /// </summary>
    internal readonly struct Interval : IEquatable<Interval>
    {
        private const int MaxHoles = 4;
        private static readonly BigInteger[] s_noHoles = new BigInteger[0];
        private readonly BigInteger[]? _holes;

        public Interval(BigInteger lo, BigInteger hi, bool nonZero = false)
            : this(lo, hi, nonZero ? new[] { BigInteger.Zero } : null)
        {
        }

        private Interval(BigInteger lo, BigInteger hi, BigInteger[]? holes)
        {
            // Holes at an end move the end; holes outside the range are dropped.
            if (holes is { Length: > 0 })
            {
                Array.Sort(holes);
                while (Array.IndexOf(holes, lo) >= 0 && lo <= hi) lo += 1;
                while (Array.IndexOf(holes, hi) >= 0 && lo <= hi) hi -= 1;
                var kept = new List<BigInteger>(holes.Length);
                foreach (BigInteger h in holes)
                    if (h > lo && h < hi && !kept.Contains(h)) kept.Add(h);
                if (kept.Count > MaxHoles) kept.RemoveAll(h => !(h.IsZero || h == BigInteger.MinusOne) && kept.Count > MaxHoles);
                holes = kept.Count == 0 ? null : kept.ToArray();
            }
            Lo = lo;
            Hi = hi;
            _holes = holes is { Length: > 0 } ? holes : null;
        }

        public BigInteger Lo { get; }
        public BigInteger Hi { get; }

        /// <summary>Excluded points strictly inside the range, sorted.</summary>
        public BigInteger[] Holes => _holes ?? s_noHoles;

        /// <summary>Zero is excluded.</summary>
        public bool NonZero => !Contains(BigInteger.Zero);

        public bool IsEmpty => Lo > Hi;
        public bool IsConstant => Lo == Hi;
        public bool MayBeZero => Contains(BigInteger.Zero);
        public bool Contains(BigInteger v) => Lo <= v && v <= Hi && (_holes is null || Array.IndexOf(_holes, v) < 0);

        public static Interval Constant(BigInteger v) => new Interval(v, v);

        /// <summary>The whole range of an integer type (bool is 0..1, enums their underlying type); null for others.</summary>
        public static Interval? Of(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } u }) type = u;
            switch (type?.SpecialType)
            {
                case SpecialType.System_Boolean: return new Interval(0, 1);
                case SpecialType.System_SByte: return new Interval(sbyte.MinValue, sbyte.MaxValue);
                case SpecialType.System_Byte: return new Interval(byte.MinValue, byte.MaxValue);
                case SpecialType.System_Int16: return new Interval(short.MinValue, short.MaxValue);
                case SpecialType.System_UInt16: case SpecialType.System_Char: return new Interval(ushort.MinValue, ushort.MaxValue);
                case SpecialType.System_Int32: return new Interval(int.MinValue, int.MaxValue);
                case SpecialType.System_UInt32: return new Interval(uint.MinValue, uint.MaxValue);
                case SpecialType.System_Int64: case SpecialType.System_IntPtr: return new Interval(long.MinValue, long.MaxValue);
                case SpecialType.System_UInt64: case SpecialType.System_UIntPtr: return new Interval(ulong.MinValue, ulong.MaxValue);
                default: return null;
            }
        }

        /// <summary>The constant <paramref name="value"/> (a boxed integer, char, bool or enum value), or null.</summary>
        public static Interval? OfConstant(object? value) => value switch
        {
            bool b => Constant(b ? 1 : 0),
            char c => Constant(c),
            sbyte v => Constant(v), byte v => Constant(v), short v => Constant(v), ushort v => Constant(v),
            int v => Constant(v), uint v => Constant(v), long v => Constant(v), ulong v => Constant(v),
            _ => null,
        };

        public Interval Join(Interval other)
        {
            if (IsEmpty) return other;
            if (other.IsEmpty) return this;
            // A point neither side contains stays excluded (e.g. 0 from [1, 5] joined with [-5, -1]).
            var holes = new List<BigInteger>();
            foreach (BigInteger h in Candidates(this, other))
                if (!Contains(h) && !other.Contains(h) && !holes.Contains(h)) holes.Add(h);
            return new Interval(BigInteger.Min(Lo, other.Lo), BigInteger.Max(Hi, other.Hi), holes.ToArray());
        }

        private static IEnumerable<BigInteger> Candidates(Interval a, Interval b)
        {
            yield return BigInteger.Zero;
            yield return BigInteger.MinusOne;
            foreach (BigInteger h in a.Holes) yield return h;
            foreach (BigInteger h in b.Holes) yield return h;
        }

        public Interval Meet(Interval other)
        {
            var holes = new List<BigInteger>(Holes);
            holes.AddRange(other.Holes);
            return new Interval(BigInteger.Max(Lo, other.Lo), BigInteger.Min(Hi, other.Hi), holes.ToArray());
        }

        /// <summary>Excludes <paramref name="v"/>.</summary>
        public Interval Excluding(BigInteger v)
        {
            var holes = new List<BigInteger>(Holes) { v };
            return new Interval(Lo, Hi, holes.ToArray());
        }

        /// <summary>This range if it fits <paramref name="type"/>, else the type's whole range (C# wrap-around).</summary>
        public Interval WrapTo(ITypeSymbol? type)
        {
            if (Of(type) is not Interval range) return this;
            return range.Lo <= Lo && Hi <= range.Hi ? this : range;
        }

        public bool Equals(Interval other)
        {
            if (Lo != other.Lo || Hi != other.Hi || Holes.Length != other.Holes.Length) return false;
            for (int i = 0; i < Holes.Length; i++)
                if (Holes[i] != other.Holes[i]) return false;
            return true;
        }
        public override bool Equals(object? obj) => obj is Interval i && Equals(i);
        public override int GetHashCode() => Lo.GetHashCode() * 31 + Hi.GetHashCode();
        public override string ToString() => $"[{Lo}, {Hi}]{(Holes.Length > 0 ? " \\ {" + string.Join(", ", Holes) + "}" : "")}";

        // ---- arithmetic on exact results (callers wrap to the operation type) ----

        public static Interval Add(Interval a, Interval b) => new Interval(a.Lo + b.Lo, a.Hi + b.Hi);
        public static Interval Subtract(Interval a, Interval b) => new Interval(a.Lo - b.Hi, a.Hi - b.Lo);
        public static Interval Negate(Interval a)
        {
            var holes = new BigInteger[a.Holes.Length];
            for (int i = 0; i < holes.Length; i++) holes[i] = -a.Holes[i];
            return new Interval(-a.Hi, -a.Lo, holes);
        }

        public static Interval Multiply(Interval a, Interval b)
        {
            BigInteger p1 = a.Lo * b.Lo, p2 = a.Lo * b.Hi, p3 = a.Hi * b.Lo, p4 = a.Hi * b.Hi;
            return new Interval(BigInteger.Min(BigInteger.Min(p1, p2), BigInteger.Min(p3, p4)),
                BigInteger.Max(BigInteger.Max(p1, p2), BigInteger.Max(p3, p4)), a.NonZero && b.NonZero);
        }

        /// <summary>Truncating division (C#'s) by a divisor range that excludes zero and keeps one sign.</summary>
        public static Interval? Divide(Interval a, Interval b)
        {
            if (b.Lo <= 0 && b.Hi >= 0) return MagnitudeBound(a);
            BigInteger q1 = BigInteger.Divide(a.Lo, b.Lo), q2 = BigInteger.Divide(a.Lo, b.Hi), q3 = BigInteger.Divide(a.Hi, b.Lo), q4 = BigInteger.Divide(a.Hi, b.Hi);
            return new Interval(BigInteger.Min(BigInteger.Min(q1, q2), BigInteger.Min(q3, q4)), BigInteger.Max(BigInteger.Max(q1, q2), BigInteger.Max(q3, q4)));
        }

        /// <summary>C#'s remainder: the dividend's sign, magnitude below the divisor's and at most the dividend's.</summary>
        public static Interval Remainder(Interval a, Interval b)
        {
            BigInteger maxDivisor = BigInteger.Max(BigInteger.Abs(b.Lo), BigInteger.Abs(b.Hi));
            BigInteger bound = maxDivisor.IsZero ? 0 : maxDivisor - 1;
            BigInteger lo = a.Lo >= 0 ? 0 : BigInteger.Max(a.Lo, -bound);
            BigInteger hi = a.Hi <= 0 ? 0 : BigInteger.Min(a.Hi, bound);
            return new Interval(lo, hi);
        }

        /// <summary>x &amp; y: non-negative when either side is; at most the non-negative side's maximum.</summary>
        public static Interval And(Interval a, Interval b)
        {
            if (a.Lo >= 0 && b.Lo >= 0) return new Interval(0, BigInteger.Min(a.Hi, b.Hi));
            if (a.Lo >= 0) return new Interval(0, a.Hi);
            if (b.Lo >= 0) return new Interval(0, b.Hi);
            return new Interval(BigInteger.Min(a.Lo, b.Lo) < 0 ? -BitCeiling(BigInteger.Max(-a.Lo, -b.Lo)) : 0, BigInteger.Max(a.Hi, b.Hi));
        }

        /// <summary>x | y: non-zero when either side is; for non-negative sides at least the larger minimum and
        /// below the next power of two.</summary>
        public static Interval Or(Interval a, Interval b)
        {
            bool nonZero = a.NonZero || b.NonZero;
            if (a.Lo >= 0 && b.Lo >= 0)
                return new Interval(BigInteger.Max(a.Lo, b.Lo), BitCeiling(BigInteger.Max(a.Hi, b.Hi)) - 1, nonZero);
            // Both in [-m, m - 1] for a power of two m (two's complement in log2(m) + 1 bits): so is their or.
            BigInteger m = BitCeiling(BigInteger.Max(BigInteger.Max(-a.Lo - 1, a.Hi), BigInteger.Max(-b.Lo - 1, b.Hi)));
            return new Interval(-m, m - 1, nonZero);
        }

        /// <summary>x ^ y for non-negative sides: below the next power of two.</summary>
        public static Interval? Xor(Interval a, Interval b) =>
            a.Lo >= 0 && b.Lo >= 0 ? new Interval(0, BitCeiling(BigInteger.Max(a.Hi, b.Hi)) - 1) : (Interval?)null;

        /// <summary>x &gt;&gt; n (arithmetic or, for non-negative x, logical) with n already masked.</summary>
        public static Interval? ShiftRight(Interval a, Interval n)
        {
            if (n.Lo < 0) return null;
            if (a.Lo >= 0) return new Interval(a.Lo >> (int)BigInteger.Min(n.Hi, 128), a.Hi >> (int)n.Lo);
            return new Interval(a.Lo >> (int)n.Lo, a.Hi >= 0 ? a.Hi >> (int)n.Lo : a.Hi >> (int)BigInteger.Min(n.Hi, 128));
        }

        /// <summary>x &lt;&lt; n with n already masked; the caller wraps the result.</summary>
        public static Interval? ShiftLeft(Interval a, Interval n)
        {
            if (n.Lo < 0 || n.Hi > 128) return null;
            BigInteger lo = a.Lo < 0 ? a.Lo << (int)n.Hi : a.Lo << (int)n.Lo, hi = a.Hi < 0 ? a.Hi << (int)n.Lo : a.Hi << (int)n.Hi;
            return new Interval(lo, hi, a.NonZero);
        }

        private static Interval MagnitudeBound(Interval a)
        {
            BigInteger m = BigInteger.Max(BigInteger.Abs(a.Lo), BigInteger.Abs(a.Hi));
            return new Interval(a.Lo >= 0 ? 0 : -m, a.Hi <= 0 ? 0 : m);
        }

        /// <summary>The smallest power of two above <paramref name="v"/> (v &gt;= 0).</summary>
        private static BigInteger BitCeiling(BigInteger v)
        {
            BigInteger p = 1;
            while (p <= v) p <<= 1;
            return p;
        }

        /// <summary>Trailing zero bits of a non-zero value.</summary>
        public static int TrailingZeros(BigInteger v)
        {
            int n = 0;
            v = BigInteger.Abs(v);
            while (!v.IsZero && v.IsEven) { v >>= 1; n++; }
            return n;
        }
    }
}
