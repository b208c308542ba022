using System.Collections.Immutable;
using System.Numerics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules.Flow
{
    // Comparisons: their value, and what each outcome tells about the compared variables (the refinements a
    // branch applies, also stored with a bool that holds the comparison).
    internal sealed partial class MethodFlowAnalysis
    {
        private FlowValue Comparison(IBinaryOperation binary, FlowValue left, FlowValue right)
        {
            var boolean = new Interval(0, 1);
            if (left.Integer is not { } a || right.Integer is not { } b) return new FlowValue(boolean, boolean);
            BinaryOperatorKind kind = binary.OperatorKind;
            ImmutableDictionary<object, FlowValue>? whenTrue = Refinements(binary, kind, a, b, left, right);
            ImmutableDictionary<object, FlowValue>? whenFalse = Refinements(binary, Negate(kind), a, b, left, right);
            Interval value = Decide(kind, a, b) is bool decided ? Interval.Constant(decided ? 1 : 0) : boolean;
            return new FlowValue(value, boolean, Nullness.Unknown, whenTrue, whenFalse);
        }

        private static BinaryOperatorKind Negate(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.Equals => BinaryOperatorKind.NotEquals,
            BinaryOperatorKind.NotEquals => BinaryOperatorKind.Equals,
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThanOrEqual,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThanOrEqual,
            _ => BinaryOperatorKind.LessThan,
        };

        /// <summary>The comparison's outcome when the ranges decide it.</summary>
        private static bool? Decide(BinaryOperatorKind kind, Interval a, Interval b) => kind switch
        {
            BinaryOperatorKind.LessThan => a.Hi < b.Lo ? true : a.Lo >= b.Hi ? false : (bool?)null,
            BinaryOperatorKind.LessThanOrEqual => a.Hi <= b.Lo ? true : a.Lo > b.Hi ? false : (bool?)null,
            BinaryOperatorKind.GreaterThan => a.Lo > b.Hi ? true : a.Hi <= b.Lo ? false : (bool?)null,
            BinaryOperatorKind.GreaterThanOrEqual => a.Lo >= b.Hi ? true : a.Hi < b.Lo ? false : (bool?)null,
            BinaryOperatorKind.Equals => a.IsConstant && b.IsConstant ? a.Lo == b.Lo : a.Hi < b.Lo || b.Hi < a.Lo ? false : (bool?)null,
            BinaryOperatorKind.NotEquals => a.IsConstant && b.IsConstant ? a.Lo != b.Lo : a.Hi < b.Lo || b.Hi < a.Lo ? true : (bool?)null,
            _ => null,
        };

        /// <summary>What <c>a kind b</c> being true tells about the variables behind both operands.</summary>
        private ImmutableDictionary<object, FlowValue>? Refinements(IBinaryOperation binary, BinaryOperatorKind kind, Interval a, Interval b, FlowValue left, FlowValue right)
        {
            Interval na = a, nb = b;
            switch (kind)
            {
                case BinaryOperatorKind.LessThan:
                    na = a.Meet(new Interval(a.Lo, b.Hi - 1)); nb = b.Meet(new Interval(a.Lo + 1, b.Hi)); break;
                case BinaryOperatorKind.LessThanOrEqual:
                    na = a.Meet(new Interval(a.Lo, b.Hi)); nb = b.Meet(new Interval(a.Lo, b.Hi)); break;
                case BinaryOperatorKind.GreaterThan:
                    na = a.Meet(new Interval(b.Lo + 1, a.Hi)); nb = b.Meet(new Interval(b.Lo, a.Hi - 1)); break;
                case BinaryOperatorKind.GreaterThanOrEqual:
                    na = a.Meet(new Interval(b.Lo, a.Hi)); nb = b.Meet(new Interval(b.Lo, a.Hi)); break;
                case BinaryOperatorKind.Equals:
                    na = nb = a.Meet(b); break;
                case BinaryOperatorKind.NotEquals:
                    if (b.IsConstant) na = a.Excluding(b.Lo);
                    if (a.IsConstant) nb = b.Excluding(a.Lo);
                    break;
                default:
                    return null;
            }
            var facts = ImmutableDictionary.Create<object, FlowValue>(KeyComparer.Instance);
            if (na.IsEmpty || nb.IsEmpty)
            {
                // The outcome is impossible: a contradiction on any key makes the branch unreachable.
                return facts.Add(ImpossibleKey.Instance, new FlowValue(new Interval(1, 0)));
            }
            facts = AddRefinement(facts, binary.LeftOperand, na, left);
            facts = AddRefinement(facts, binary.RightOperand, nb, right);
            return facts;
        }

        /// <summary>Maps a refined value of <paramref name="operand"/> back to the variable it reads.</summary>
        private ImmutableDictionary<object, FlowValue> AddRefinement(ImmutableDictionary<object, FlowValue> facts, IOperation operand, Interval refined, FlowValue value)
        {
            IOperation original = operand;
            while (true)
            {
                switch (operand)
                {
                    case IParenthesizedOperation p:
                        operand = p.Operand;
                        continue;
                    case IConversionOperation conversion when Interval.Of(conversion.Operand.Type) is { } inner && Interval.Of(conversion.Type) is { } outer:
                        {
                            // The values of the operand that convert into the refined range.
                            if (inner.Lo >= outer.Lo && inner.Hi <= outer.Hi) refined = refined.Meet(inner);
                            else if (refined.Lo >= 0 && refined.Hi <= BigInteger.Min(inner.Hi, outer.Hi)) { }
                            else return facts;
                            if (refined.IsEmpty) return facts;
                            operand = conversion.Operand;
                            continue;
                        }
                    case IIncrementOrDecrementOperation step when step.IsPostfix:
                        {
                            // The comparison saw the old value; the variable now holds it plus or minus one.
                            Interval one = Interval.Constant(1);
                            Interval moved = step.Kind == OperationKind.Increment ? Interval.Add(refined, one) : Interval.Subtract(refined, one);
                            if (Interval.Of(step.Target.Type) is { } t && (moved.Lo < t.Lo || moved.Hi > t.Hi)) return facts;
                            refined = moved;
                            operand = step.Target;
                            continue;
                        }
                    case IIncrementOrDecrementOperation step:
                        operand = step.Target;
                        continue;
                    case ILocalReferenceOperation { Local: { RefKind: RefKind.None } local }:
                        return facts.SetItem(local, new FlowValue(refined, Interval.Of(local.Type)));
                    case IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } parameter }:
                        return facts.SetItem(parameter, new FlowValue(refined, Interval.Of(parameter.Type)));
                    case IFlowCaptureReferenceOperation capture:
                        return facts.SetItem(capture.Id, new FlowValue(refined, Interval.Of(capture.Type)));
                    case IFieldReferenceOperation field when FieldKeyOf(field) is { } key:
                        return facts.SetItem(key, new FlowValue(refined, Interval.Of(field.Type)));
                    default:
                        // A value equal to a variable (a span's Length that is a slice's count): the test bounds it.
                        return ReferenceEquals(operand, original) && value.CopyOf is { } copied && Interval.Of(operand.Type) is { } range
                            ? facts.SetItem(copied, new FlowValue(refined, range)) : facts;
                }
            }
        }

        /// <summary>The key of an impossible outcome (an empty range never meets anything).</summary>
        private sealed class ImpossibleKey
        {
            public static readonly ImpossibleKey Instance = new ImpossibleKey();
        }
    }
}
