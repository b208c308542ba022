using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace CsBpf.Analyzers.Rules.Flow
{
    /// <summary>Whether a reference (a <c>ref</c> local holding a map lookup result) may be null.</summary>
    internal enum Nullness : byte
    {
        /// <summary>Not tracked (not a map lookup result, or a parameter: the caller checked it).</summary>
        Unknown = 0,
        NonNull,
        MaybeNull,
        Null,
        /// <summary>A packet reference taken before a helper that may move or resize the packet.</summary>
        Stale,
    }

    /// <summary>
    /// What the analysis knows about one value: its integer range, whether a reference may be null, for a bool
    /// the refinements its being true or false implies (<c>bool found = !Unsafe.IsNullRef(ref v)</c>), and for a
    /// span its length.
    /// </summary>
    internal readonly struct FlowValue
    {
        public FlowValue(Interval? integer, Interval? typeRange = null, Nullness reference = Nullness.Unknown,
            ImmutableDictionary<object, FlowValue>? whenTrue = null, ImmutableDictionary<object, FlowValue>? whenFalse = null, Interval? length = null,
            object? copyOf = null, object? lengthOf = null)
        {
            CopyOf = copyOf;
            LengthOf = lengthOf;
            Integer = integer;
            TypeRange = typeRange;
            Reference = reference;
            WhenTrue = whenTrue;
            WhenFalse = whenFalse;
            Length = length;
        }

        public Interval? Integer { get; }

        /// <summary>The whole range of the value's type (for widening at loop heads).</summary>
        public Interval? TypeRange { get; }

        public Nullness Reference { get; }
        public ImmutableDictionary<object, FlowValue>? WhenTrue { get; }
        public ImmutableDictionary<object, FlowValue>? WhenFalse { get; }
        public Interval? Length { get; }

        /// <summary>The variable this value was copied from, while neither has changed (<c>uint c = b;</c>).</summary>
        public object? CopyOf { get; }

        /// <summary>For a span, the variable its length equals while that variable has not changed
        /// (<c>s.Slice(start, count)</c> has <c>count</c> elements): a later test of the variable bounds the span too.</summary>
        public object? LengthOf { get; }

        public static readonly FlowValue Unknown = default;

        public static FlowValue Of(ITypeSymbol? type) => new FlowValue(Interval.Of(type), Interval.Of(type));

        public FlowValue WithInteger(Interval? integer) => new FlowValue(integer, TypeRange, Reference, WhenTrue, WhenFalse, Length, CopyOf, LengthOf);
        public FlowValue WithReference(Nullness reference) => new FlowValue(Integer, TypeRange, reference, WhenTrue, WhenFalse, Length, CopyOf, LengthOf);
        public FlowValue WithoutFacts() => new FlowValue(Integer, TypeRange, Reference, null, null, Length, CopyOf, LengthOf);
        public FlowValue Negated() => new FlowValue(Integer, TypeRange, Reference, WhenFalse, WhenTrue, Length, CopyOf, LengthOf);
        public FlowValue WithCopyOf(object? source) => new FlowValue(Integer, TypeRange, Reference, WhenTrue, WhenFalse, Length, source, LengthOf);
        public FlowValue WithLengthOf(object? source) => new FlowValue(Integer, TypeRange, Reference, WhenTrue, WhenFalse, Length, CopyOf, source);

        public bool MentionsFactAbout(object key) =>
            (WhenTrue?.ContainsKey(key) ?? false) || (WhenFalse?.ContainsKey(key) ?? false);

        public static FlowValue Join(FlowValue a, FlowValue b) => new FlowValue(
            a.Integer is { } x && b.Integer is { } y ? x.Join(y) : (Interval?)null,
            a.TypeRange ?? b.TypeRange,
            JoinReference(a.Reference, b.Reference),
            SameFacts(a.WhenTrue, b.WhenTrue) ? a.WhenTrue : null,
            SameFacts(a.WhenFalse, b.WhenFalse) ? a.WhenFalse : null,
            a.Length is { } l && b.Length is { } m ? l.Join(m) : (Interval?)null,
            a.CopyOf is { } c && KeyComparer.Instance.Equals(c, b.CopyOf) ? c : null,
            a.LengthOf is { } n && KeyComparer.Instance.Equals(n, b.LengthOf) ? n : null);

        private static Nullness JoinReference(Nullness a, Nullness b)
        {
            if (a == b) return a;
            if (a == Nullness.Stale || b == Nullness.Stale) return Nullness.Stale; // stale on some path
            if (a == Nullness.Unknown || b == Nullness.Unknown) return Nullness.Unknown;
            return Nullness.MaybeNull;
        }

        /// <summary>This value narrowed by a refinement; null when they contradict (the path is impossible).</summary>
        public FlowValue? Meet(FlowValue refinement)
        {
            Interval? integer = Integer;
            if (refinement.Integer is { } r)
            {
                integer = integer is { } i ? i.Meet(r) : r;
                if (integer.Value.IsEmpty) return null;
            }
            Nullness reference = Reference;
            if (refinement.Reference is Nullness.NonNull or Nullness.Null && reference != Nullness.Stale)
            {
                if (reference is Nullness.NonNull or Nullness.Null && reference != refinement.Reference) return null;
                reference = refinement.Reference;
            }
            Interval? length = Length;
            if (refinement.Length is { } rl)
            {
                length = length is { } l ? l.Meet(rl) : rl;
                if (length.Value.IsEmpty) return null;
            }
            return new FlowValue(integer, TypeRange ?? refinement.TypeRange, reference, WhenTrue, WhenFalse, length, CopyOf, LengthOf);
        }

        public bool SameAs(FlowValue other) =>
            Nullable.Equals(Integer, other.Integer) && Reference == other.Reference && Nullable.Equals(Length, other.Length)
            && KeyComparer.Instance.Equals(CopyOf, other.CopyOf) && KeyComparer.Instance.Equals(LengthOf, other.LengthOf)
            && SameFacts(WhenTrue, other.WhenTrue) && SameFacts(WhenFalse, other.WhenFalse);

        private static bool SameFacts(ImmutableDictionary<object, FlowValue>? a, ImmutableDictionary<object, FlowValue>? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null || a.Count != b.Count) return false;
            foreach (var entry in a)
                if (!b.TryGetValue(entry.Key, out FlowValue other) || !entry.Value.SameAs(other)) return false;
            return true;
        }

        public override string ToString() => $"{Integer}{(Reference != Nullness.Unknown ? " " + Reference : "")}{(Length is { } l ? " len " + l : "")}";
    }

    /// <summary>A field of a local or parameter (one level: <c>key.Slot</c>, <c>args.Divisor</c>).</summary>
    internal readonly struct FieldKey : IEquatable<FieldKey>
    {
        public FieldKey(ISymbol root, IFieldSymbol field)
        {
            Root = root;
            Field = field;
        }

        public ISymbol Root { get; }
        public IFieldSymbol Field { get; }

        public bool Equals(FieldKey other) => SymbolEqualityComparer.Default.Equals(Root, other.Root) && SymbolEqualityComparer.Default.Equals(Field, other.Field);
        public override bool Equals(object? obj) => obj is FieldKey k && Equals(k);
        public override int GetHashCode() => SymbolEqualityComparer.Default.GetHashCode(Root) * 31 + SymbolEqualityComparer.Default.GetHashCode(Field);
    }

    /// <summary>The length of a span local or parameter, tracked as a value of its own: a test of <c>s.Length</c>
    /// narrows it, and it narrows the variable it was copied from (a slice's count).</summary>
    internal readonly struct SpanLengthKey : IEquatable<SpanLengthKey>
    {
        public SpanLengthKey(ISymbol span) => Span = span;

        public ISymbol Span { get; }

        public bool Equals(SpanLengthKey other) => SymbolEqualityComparer.Default.Equals(Span, other.Span);
        public override bool Equals(object? obj) => obj is SpanLengthKey k && Equals(k);
        public override int GetHashCode() => SymbolEqualityComparer.Default.GetHashCode(Span) * 17 + 5;
    }

    /// <summary>Keys of a state: locals and parameters (symbol equality), flow captures, fields of locals, span lengths.</summary>
    internal sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new KeyComparer();

        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : object.Equals(x, y);

        public int GetHashCode(object obj) => obj is ISymbol s ? SymbolEqualityComparer.Default.GetHashCode(s) : obj.GetHashCode();
    }

    /// <summary>The analysis state at one point: what is known about each tracked key (absent = nothing known).</summary>
    internal sealed class FlowState
    {
        private readonly Dictionary<object, FlowValue> _values;

        public FlowState() => _values = new Dictionary<object, FlowValue>(KeyComparer.Instance);

        private FlowState(Dictionary<object, FlowValue> values) => _values = new Dictionary<object, FlowValue>(values, KeyComparer.Instance);

        public FlowState Clone() => new FlowState(_values);

        public bool TryGet(object key, out FlowValue value) => _values.TryGetValue(key, out value);

        public IEnumerable<KeyValuePair<object, FlowValue>> Entries => _values;

        /// <summary>Sets <paramref name="key"/> and forgets every bool fact about its old value.</summary>
        public void Set(object key, FlowValue value)
        {
            Forget(key);
            _values[key] = value;
        }

        /// <summary>Forgets <paramref name="key"/> (now unknown) and the facts that mention it.</summary>
        public void Forget(object key)
        {
            _values.Remove(key);
            List<object>? stale = null;
            foreach (var entry in _values)
                if (entry.Value.MentionsFactAbout(key)) (stale ??= new List<object>()).Add(entry.Key);
            if (stale is not null)
                foreach (object k in stale) _values[k] = _values[k].WithoutFacts();
            List<object>? copies = null;
            foreach (var entry in _values)
                if (entry.Value.CopyOf is { } source && KeyComparer.Instance.Equals(source, key)) (copies ??= new List<object>()).Add(entry.Key);
            if (copies is not null)
                foreach (object k in copies) _values[k] = _values[k].WithCopyOf(null);
            List<object>? lengths = null;
            foreach (var entry in _values)
                if (entry.Value.LengthOf is { } source && KeyComparer.Instance.Equals(source, key)) (lengths ??= new List<object>()).Add(entry.Key);
            if (lengths is not null)
                foreach (object k in lengths) _values[k] = _values[k].WithLengthOf(null);
            if (key is ISymbol root)
            {
                List<object>? fields = null;
                foreach (var entry in _values)
                    if (entry.Key is FieldKey f && SymbolEqualityComparer.Default.Equals(f.Root, root)) (fields ??= new List<object>()).Add(entry.Key);
                if (fields is not null)
                    foreach (object k in fields) _values.Remove(k);
                // A span variable's length goes with it (and whatever was tied to that length).
                var length = new SpanLengthKey(root);
                if (_values.ContainsKey(length)) Forget(length);
            }
        }

        /// <summary>Applies refinements; false when they contradict the state (the path is impossible).</summary>
        public bool Refine(ImmutableDictionary<object, FlowValue> refinements)
        {
            foreach (var entry in refinements)
            {
                if (!Narrow(entry.Key, entry.Value)) return false;
                // A copy and its source hold the same value: narrow both.
                if (_values.TryGetValue(entry.Key, out FlowValue narrowedValue) && narrowedValue.CopyOf is { } source && !Narrow(source, entry.Value.WithCopyOf(null))) return false;
                List<object>? copies = null;
                foreach (var other in _values)
                    if (other.Value.CopyOf is { } s && KeyComparer.Instance.Equals(s, entry.Key) && !KeyComparer.Instance.Equals(other.Key, entry.Key)) (copies ??= new List<object>()).Add(other.Key);
                if (copies is not null)
                    foreach (object copy in copies)
                        if (!Narrow(copy, entry.Value.WithCopyOf(null))) return false;
            }
            return true;
        }

        private bool Narrow(object key, FlowValue refinement)
        {
            FlowValue current = _values.TryGetValue(key, out FlowValue v) ? v : new FlowValue(null, refinement.TypeRange);
            if (current.Meet(refinement) is not { } narrowed) return false;
            _values[key] = narrowed;
            return true;
        }

        public static FlowState? Join(FlowState? a, FlowState? b)
        {
            if (a is null) return b?.Clone();
            if (b is null) return a.Clone();
            var result = new FlowState();
            foreach (var entry in a._values)
                if (b._values.TryGetValue(entry.Key, out FlowValue other))
                    result._values[entry.Key] = FlowValue.Join(entry.Value, other);
            return result;
        }

        /// <summary>Join that gives up, at a loop head visited often, on bounds that keep moving.</summary>
        public static FlowState Widen(FlowState old, FlowState next)
        {
            var result = new FlowState();
            foreach (var entry in next._values)
            {
                if (!old._values.TryGetValue(entry.Key, out FlowValue before)) continue;
                FlowValue joined = FlowValue.Join(before, entry.Value);
                if (joined.Integer is { } j && before.Integer is { } b && !j.Equals(b))
                {
                    Interval range = joined.TypeRange ?? new Interval(long.MinValue, ulong.MaxValue);
                    joined = joined.WithInteger(new Interval(j.Lo < b.Lo ? range.Lo : j.Lo, j.Hi > b.Hi ? range.Hi : j.Hi));
                }
                if (joined.Length is { } jl && before.Length is { } bl && !jl.Equals(bl))
                    joined = new FlowValue(joined.Integer, joined.TypeRange, joined.Reference, joined.WhenTrue, joined.WhenFalse, null);
                result._values[entry.Key] = joined;
            }
            return result;
        }

        public bool SameAs(FlowState other)
        {
            if (_values.Count != other._values.Count) return false;
            foreach (var entry in _values)
                if (!other._values.TryGetValue(entry.Key, out FlowValue v) || !entry.Value.SameAs(v)) return false;
            return true;
        }
    }
}
