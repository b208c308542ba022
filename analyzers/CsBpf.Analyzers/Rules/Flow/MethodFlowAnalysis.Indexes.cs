using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules.Flow
{
    // CSBPF0019 for the index forms the compiler checks like C# (FunctionLowering.InlineArrays, .SpanSlices,
    // .Pointers): inline array elements (arr[i], arr[^k]), ranges (arr[a..b], s[a..b]), span indexes from the end
    // (s[^k]), Slice(start[, length]) and fixed buffer elements (s.Name[i]); with the length of the spans they
    // make, so later indexes into a slice are judged against it. Messages and locations are the compiler's.
    // A check is judged here only when at most one of its quantities (index, start, count or end, and the span's
    // length) is not a known constant: ranges say nothing about how two values relate, and LLVM often proves such
    // checks from the relation (hi = lo + (b & 1), start + count <= s.Length). With two or more unknowns the
    // compiler's own proof decides (it keeps the final word on CSBPF0019 either way).
    internal sealed partial class MethodFlowAnalysis
    {
        private static readonly Interval s_anyLength = new Interval(0, int.MaxValue);
        private static readonly Interval s_int = new Interval(int.MinValue, int.MaxValue);

        /// <summary>A span's length: what its value says, narrowed by the variable it equals (LengthOf) if known.</summary>
        private static Interval LengthOf(FlowValue span, FlowState state)
        {
            Interval length = span.Length ?? s_anyLength;
            if (span.LengthOf is { } key && state.TryGet(key, out FlowValue v) && v.Integer is { } i)
            {
                Interval met = length.Meet(i);
                if (!met.IsEmpty) length = met;
            }
            return length;
        }

        /// <summary>arr[i], arr[^k] (an element) or arr[a..b] (a span) of an [InlineArray(N)] struct.</summary>
        private FlowValue InlineArrayAccess(IInlineArrayAccessOperation access, FlowState state)
        {
            Eval(access.Instance, state, addressOnly: true);
            int? n = _symbols.InlineArrayLength(access.Instance.Type);
            Interval length = n is int count ? Interval.Constant(count) : s_anyLength;
            if (access.Argument is IRangeOperation range)
                return Range(access, range, length, null, state);
            IndexCheck(access, access.Argument, length, state, "The inline array index may be out of range",
                $"C# throws IndexOutOfRangeException there; test it first, e.g. if ((uint)i < {n}) ...");
            return FlowValue.Of(access.Type);
        }

        /// <summary>s[^k] (an element) or s[a..b] (a span) of a span.</summary>
        private FlowValue ImplicitIndexer(IImplicitIndexerReferenceOperation indexer, FlowState state)
        {
            FlowValue span = Eval(indexer.Instance, state, addressOnly: true);
            if (!_symbols.IsSpan(indexer.Instance.Type))
            {
                Eval(indexer.Argument, state);
                return FlowValue.Of(indexer.Type);
            }
            Interval length = LengthOf(span, state);
            if (indexer.Argument is IRangeOperation range)
                return Range(indexer, range, length, span.LengthOf, state);
            IndexCheck(indexer, indexer.Argument, length, state, "The span index may be out of range",
                "C# throws IndexOutOfRangeException there; test it first, e.g. if (k > 0 && k <= span.Length) ...");
            return FlowValue.Of(indexer.Type);
        }

        /// <summary>An index (int or ^k) into <paramref name="length"/> elements: reported unless proven in range.</summary>
        private void IndexCheck(IOperation at, IOperation index, Interval length, FlowState state, string what, string fix)
        {
            while (index is IConversionOperation { IsImplicit: true } c && IsSystemIndex(c.Type)) index = c.Operand;
            bool proven;
            Interval value;
            if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
            {
                // length - k is in [0, length) exactly when 1 <= k <= length.
                value = Eval(fromEnd.Operand, state).Integer ?? s_int;
                proven = value.Lo >= 1 && value.Hi <= length.Lo;
            }
            else
            {
                value = Eval(index, state).Integer ?? s_int;
                proven = value.Lo >= 0 && value.Hi < length.Lo;
            }
            if (!proven && Decisive(length, value)) ReportOnce(BpfDiagnostics.SpanIndexOutOfRange, at.Syntax, what, fix);
        }

        /// <summary>True when at most one of the quantities of a check is not a known constant (see above).</summary>
        private static bool Decisive(params Interval[] quantities)
        {
            int unknown = 0;
            foreach (Interval q in quantities)
                if (!q.IsConstant) unknown++;
            return unknown <= 1;
        }

        /// <summary>The value of an index operand (int, or ^k counted from <paramref name="length"/>); the variable it
        /// copies when it is a plain int.</summary>
        private (Interval Value, object? Copy, Interval Operand) IndexValue(IOperation? index, Interval length, Interval whenAbsent, FlowState state)
        {
            if (index is null) return (whenAbsent, null, Interval.Constant(0));
            while (index is IConversionOperation { IsImplicit: true } c && IsSystemIndex(c.Type)) index = c.Operand;
            if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
            {
                Interval k = Eval(fromEnd.Operand, state).Integer ?? s_int;
                return (Interval.Subtract(length, k), null, k);
            }
            FlowValue value = Eval(index, state);
            Interval i = value.Integer ?? s_int;
            return (i, value.CopyOf, i);
        }

        /// <summary>a..b over <paramref name="length"/> elements: checked like C# (0 &lt;= start &lt;= end &lt;= length),
        /// a span of end - start elements.</summary>
        private FlowValue Range(IOperation at, IRangeOperation range, Interval length, object? lengthKey, FlowState state)
        {
            var (start, _, startOperand) = IndexValue(range.LeftOperand, length, Interval.Constant(0), state);
            var (end, endCopy, endOperand) = IndexValue(range.RightOperand, length, length, state);
            if (range.RightOperand is null && lengthKey is not null) endCopy = lengthKey;
            bool proven = start.Lo >= 0 && start.Hi <= end.Lo && end.Hi <= length.Lo;
            if (!proven && Decisive(length, startOperand, endOperand))
                ReportOnce(BpfDiagnostics.SpanIndexOutOfRange, at.Syntax, "The range may be out of bounds",
                    "C# throws ArgumentOutOfRangeException unless 0 <= start <= end <= length; test the bounds first");
            return Span(at.Type, Interval.Subtract(end, start), length, start.IsConstant && start.Lo.IsZero ? endCopy : null);
        }

        /// <summary>span.Slice(start) and span.Slice(start, length): checked like C#, a span over part of it.</summary>
        private FlowValue? SpanSlice(IInvocationOperation invocation, FlowState state)
        {
            IMethodSymbol target = invocation.TargetMethod;
            if (target.Name != "Slice" || target.IsStatic || invocation.Instance is not { } instance || !_symbols.IsSpan(instance.Type)) return null;
            FlowValue span = Eval(instance, state, addressOnly: true);
            Interval length = LengthOf(span, state);
            FlowValue? startValue = null, countValue = null;
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                FlowValue value = Eval(argument.Value, state);
                if (argument.Parameter?.Ordinal == 0) startValue = value;
                else countValue = value;
            }
            Interval start = startValue?.Integer ?? s_int;
            bool proven, decisive;
            Interval count;
            object? countCopy = null;
            if (countValue is { } c)
            {
                // (ulong)(uint)start + (ulong)(uint)length > (ulong)(uint)Length throws.
                count = c.Integer ?? s_int;
                proven = start.Lo >= 0 && count.Lo >= 0 && start.Hi + count.Hi <= length.Lo;
                decisive = Decisive(length, start, count);
                countCopy = c.CopyOf;
            }
            else
            {
                // (uint)start > (uint)Length throws.
                proven = start.Lo >= 0 && start.Hi <= length.Lo;
                decisive = Decisive(length, start);
                count = Interval.Subtract(length, start);
                if (start.IsConstant && start.Lo.IsZero) countCopy = span.LengthOf;
            }
            if (!proven && decisive)
                ReportOnce(BpfDiagnostics.SpanIndexOutOfRange, invocation.Syntax, "The slice may be out of bounds",
                    "C# throws ArgumentOutOfRangeException unless start + length <= span.Length; test the bounds first");
            return Span(invocation.Type, count, length, countCopy);
        }

        /// <summary>A span of <paramref name="count"/> elements taken from one of <paramref name="whole"/> (what is left
        /// after a successful check: between 0 and the whole).</summary>
        private static FlowValue Span(ITypeSymbol? type, Interval count, Interval whole, object? lengthOf)
        {
            Interval length = count.Meet(new Interval(0, whole.Hi));
            if (length.IsEmpty) length = new Interval(0, whole.Hi);
            return new FlowValue(null, null, Nullness.Unknown, null, null, length, null, lengthOf);
        }

        /// <summary>s.Name[i] on a fixed buffer field: bounds-checked by the compiler although C# does not check it.</summary>
        private bool TryFixedBufferElement(IOperation op, FlowState state)
        {
            if (op.Syntax is not ElementAccessExpressionSyntax) return false;
            IOperation? pointer = null, index = null;
            foreach (IOperation child in op.ChildOperations)
            {
                if (pointer is null) pointer = child;
                else if (index is null) index = child;
                else return false;
            }
            IOperation buffer = pointer!;
            while (buffer is IConversionOperation { IsImplicit: true } conversion) buffer = conversion.Operand;
            if (index is null || buffer is not IFieldReferenceOperation { Field: { IsFixedSizeBuffer: true, FixedSize: var length } }) return false;
            Eval(pointer!, state, addressOnly: true);
            Interval i = Eval(index, state).Integer ?? s_int;
            if (i.Lo < 0 || i.Hi >= length)
                ReportOnce(BpfDiagnostics.SpanIndexOutOfRange, op.Syntax, "The fixed buffer index may be out of range",
                    $"C# does not check fixed buffer indexes, so an index outside the {length} elements corrupts memory on the CLR and the verifier rejects it; test it first, e.g. if ((uint)i < {length}) ...");
            return true;
        }

        private static bool IsSystemIndex(ITypeSymbol? type) =>
            type is { Name: "Index", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
    }
}
