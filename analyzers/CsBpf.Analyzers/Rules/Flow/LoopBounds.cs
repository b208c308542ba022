using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules.Flow
{
    /// <summary>
    /// CSBPF0014: a loop must have an exit the verifier can prove is reached — a comparison of a counter (a local
    /// the loop only moves by constant steps, or shifts towards zero) with a constant or a value of bounded range,
    /// such that the trip count stays under the verifier's budget. The kernel verifies loops by walking every
    /// iteration (kernel/bpf/verifier.c, is_state_visited), so a loop whose exit depends on a value it cannot
    /// bound is rejected ("infinite loop detected", or the 1M-instruction limit BPF_COMPLEXITY_LIMIT_INSNS).
    /// Conservative: anything else is reported, with Bpf.Loop or a constant bound as the way out.
    /// </summary>
    internal static class LoopBounds
    {
        /// <summary>BPF_COMPLEXITY_LIMIT_INSNS: each iteration costs at least one instruction.</summary>
        public static readonly BigInteger MaxIterations = 1_000_000;

        private enum Direction { Up, Down, Shrink, Other }

        public static void Check(MethodFlowAnalysis analysis, BpfCodeSymbols symbols, Action<Diagnostic> report)
        {
            ControlFlowGraph graph = analysis.Graph;
            var headers = new SortedDictionary<int, HashSet<BasicBlock>>();
            foreach (BasicBlock block in graph.Blocks)
            {
                if (analysis.InState(block) is null) continue;
                foreach (ControlFlowBranch? branch in new[] { block.ConditionalSuccessor, block.FallThroughSuccessor })
                    // A jump back is a loop only when the target leads back to the jump (a backward goto
                    // into code that leaves is not).
                    if (branch?.Destination is { Kind: BasicBlockKind.Block } target && target.Ordinal <= block.Ordinal && Reaches(target, block))
                    {
                        if (!headers.TryGetValue(target.Ordinal, out var body)) headers[target.Ordinal] = body = new HashSet<BasicBlock>();
                        AddNaturalLoop(body, target, block);
                    }
            }
            var reported = new HashSet<int>();
            foreach (var entry in headers)
            {
                BasicBlock header = graph.Blocks[entry.Key];
                // foreach: over a span it is bounded by the length; over anything else CSBPF0007 reports it.
                if (LoopStatement(header) is CommonForEachStatementSyntax) continue;
                if (Unbounded(analysis, symbols, header, entry.Value) is not string reason) continue;
                Location at = LoopLocation(header);
                if (reported.Add(at.SourceSpan.Start)) report(Diagnostic.Create(BpfDiagnostics.UnboundedLoop, at, reason));
            }
        }

        private static bool Reaches(BasicBlock from, BasicBlock to)
        {
            var seen = new HashSet<BasicBlock> { from };
            var pending = new Stack<BasicBlock>();
            pending.Push(from);
            while (pending.Count > 0)
            {
                BasicBlock b = pending.Pop();
                if (b == to) return true;
                foreach (ControlFlowBranch? branch in new[] { b.ConditionalSuccessor, b.FallThroughSuccessor })
                    if (branch?.Destination is { } d && seen.Add(d)) pending.Push(d);
            }
            return false;
        }

        private static void AddNaturalLoop(HashSet<BasicBlock> body, BasicBlock header, BasicBlock latch)
        {
            body.Add(header);
            var pending = new Stack<BasicBlock>();
            if (body.Add(latch)) pending.Push(latch);
            while (pending.Count > 0)
                foreach (ControlFlowBranch predecessor in pending.Pop().Predecessors)
                    if (body.Add(predecessor.Source)) pending.Push(predecessor.Source);
        }

        /// <summary>Null when some exit is bounded, else why not.</summary>
        private static string? Unbounded(MethodFlowAnalysis analysis, BpfCodeSymbols symbols, BasicBlock header, HashSet<BasicBlock> body)
        {
            Dictionary<ILocalSymbol, (Direction Direction, bool Unit)> counters = Counters(body);
            string? firstExit = null, why = null;
            foreach (BasicBlock block in body.OrderBy(b => b.Ordinal))
            {
                if (block.ConditionKind == ControlFlowConditionKind.None || block.BranchValue is not { } condition) continue;
                bool jumpWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                foreach (var (branch, outcome) in new[] { (block.ConditionalSuccessor, jumpWhen), (block.FallThroughSuccessor, !jumpWhen) })
                {
                    if (branch?.Destination is { } destination && body.Contains(destination)) continue;
                    firstExit ??= DiagnosticText.Snippet(condition.Syntax);
                    if (Bounding(analysis, symbols, header, body, block, condition, outcome, counters, ref why)) return null;
                }
            }
            if (firstExit is null) return "it has no exit condition";
            return why ?? $"no exit condition compares a counter with a constant or a bounded value ('{firstExit}')";
        }

        /// <summary>True when leaving the loop on <paramref name="condition"/> == <paramref name="outcome"/> bounds its trip count.</summary>
        private static bool Bounding(MethodFlowAnalysis analysis, BpfCodeSymbols symbols, BasicBlock header, HashSet<BasicBlock> body, BasicBlock at,
            IOperation condition, bool outcome, Dictionary<ILocalSymbol, (Direction, bool)> counters, ref string? why)
        {
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                condition = not.Operand;
                outcome = !outcome;
            }
            // foreach over a span: MoveNext of Span<T>.Enumerator ends after Length steps.
            if (condition is IInvocationOperation { TargetMethod: { Name: "MoveNext" } move } && symbols.IsSpan(move.ContainingType?.ContainingType))
                return true;
            if (condition is not IBinaryOperation binary) return false;
            BinaryOperatorKind kind = outcome ? binary.OperatorKind : Negate(binary.OperatorKind);
            FlowState? state = analysis.StateBeforeBranch(at);
            if (state is null) return false;
            return Bounds(analysis, header, body, state, binary.LeftOperand, kind, binary.RightOperand, counters, ref why)
                || Bounds(analysis, header, body, state, binary.RightOperand, Swap(kind), binary.LeftOperand, counters, ref why);
        }

        /// <summary>Exit when <paramref name="counterSide"/> <paramref name="kind"/> <paramref name="boundSide"/>.</summary>
        private static bool Bounds(MethodFlowAnalysis analysis, BasicBlock header, HashSet<BasicBlock> body, FlowState state,
            IOperation counterSide, BinaryOperatorKind kind, IOperation boundSide, Dictionary<ILocalSymbol, (Direction, bool)> counters, ref string? why)
        {
            if (CounterOf(counterSide) is not ILocalSymbol counter || !counters.TryGetValue(counter, out var c)) return false;
            (Direction direction, bool unit) = c;
            if (analysis.IntervalOf(boundSide, state) is not Interval bound) return false;
            Interval start = StartOf(analysis, header, body, counter);
            BigInteger trips;
            switch (direction)
            {
                case Direction.Up when kind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual
                                       || kind == BinaryOperatorKind.Equals && unit && start.Hi <= bound.Lo:
                    trips = bound.Hi - start.Lo;
                    break;
                case Direction.Down when kind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual
                                         || kind == BinaryOperatorKind.Equals && unit && start.Lo >= bound.Hi:
                    trips = start.Hi - bound.Lo;
                    break;
                case Direction.Shrink when start.Lo >= 0 && (kind == BinaryOperatorKind.Equals && bound.IsConstant && bound.Lo.IsZero
                                                             || kind == BinaryOperatorKind.LessThan && bound.Lo >= 1
                                                             || kind == BinaryOperatorKind.LessThanOrEqual && bound.Lo >= 0):
                    return true; // at most the bit width of shifts
                default:
                    return false;
            }
            if (trips <= MaxIterations) return true;
            why ??= $"'{counter.Name}' may need {(trips > BigInteger.Pow(2, 32) ? "billions of" : trips.ToString())} steps to reach '{DiagnosticText.Snippet(boundSide.Syntax)}', whose range the analysis cannot narrow";
            return false;
        }

        private static Interval StartOf(MethodFlowAnalysis analysis, BasicBlock header, HashSet<BasicBlock> body, ILocalSymbol counter)
        {
            Interval whole = Interval.Of(counter.Type) ?? new Interval(long.MinValue, ulong.MaxValue);
            Interval? start = null;
            foreach (ControlFlowBranch predecessor in header.Predecessors)
            {
                if (body.Contains(predecessor.Source)) continue;
                FlowState? state = analysis.EdgeState(predecessor.Source, header);
                if (state is null) continue;
                Interval value = state.TryGet(counter, out FlowValue v) && v.Integer is { } i ? i : whole;
                start = start is { } s ? s.Join(value) : value;
            }
            return start ?? whole;
        }

        private static ILocalSymbol? CounterOf(IOperation op)
        {
            while (true)
            {
                switch (op)
                {
                    case IConversionOperation c: op = c.Operand; continue;
                    case IParenthesizedOperation p: op = p.Operand; continue;
                    case IIncrementOrDecrementOperation i: op = i.Target; continue;
                    case ILocalReferenceOperation l: return l.Local;
                    default: return null;
                }
            }
        }

        /// <summary>Locals the loop moves only by constant steps in one direction (or shifts towards zero).</summary>
        private static Dictionary<ILocalSymbol, (Direction, bool)> Counters(HashSet<BasicBlock> body)
        {
            var result = new Dictionary<ILocalSymbol, (Direction, bool)>(SymbolEqualityComparer.Default);
            void Note(ILocalSymbol local, Direction direction, bool unit)
            {
                if (!result.TryGetValue(local, out var known)) result[local] = (direction, unit);
                else result[local] = known.Item1 == direction ? (direction, known.Item2 && unit) : (Direction.Other, false);
            }
            foreach (BasicBlock block in body)
            {
                IEnumerable<IOperation> roots = block.BranchValue is null ? block.Operations : block.Operations.Concat(new[] { block.BranchValue });
                foreach (IOperation root in roots)
                    foreach (IOperation op in root.DescendantsAndSelf())
                    {
                        switch (op)
                        {
                            case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation { Local: var l } } step:
                                Note(l, step.Kind == OperationKind.Increment ? Direction.Up : Direction.Down, true);
                                break;
                            case ICompoundAssignmentOperation { Target: ILocalReferenceOperation { Local: var l } } compound:
                                Note(l, StepOf(compound.OperatorKind, compound.Value, out bool u), u);
                                break;
                            case ISimpleAssignmentOperation { IsRef: false, Target: ILocalReferenceOperation { Local: var l } } assignment:
                                Note(l, assignment.Value is IBinaryOperation b && CounterOf(b.LeftOperand) is { } same && SymbolEqualityComparer.Default.Equals(same, l)
                                    ? StepOf(b.OperatorKind, b.RightOperand, out bool unit2) : Direction.Other, false);
                                break;
                            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument when MethodFlowAnalysis.RootOf(argument.Value) is ILocalSymbol l:
                                Note(l, Direction.Other, false);
                                break;
                        }
                    }
            }
            return result;
        }

        private static Direction StepOf(BinaryOperatorKind kind, IOperation value, out bool unit)
        {
            unit = false;
            if (Interval.OfConstant(value.ConstantValue.HasValue ? value.ConstantValue.Value : null) is not { } c) return Direction.Other;
            BigInteger step = c.Lo;
            unit = BigInteger.Abs(step).IsOne;
            switch (kind)
            {
                case BinaryOperatorKind.Add: return step > 0 ? Direction.Up : step < 0 ? Direction.Down : Direction.Other;
                case BinaryOperatorKind.Subtract: return step > 0 ? Direction.Down : step < 0 ? Direction.Up : Direction.Other;
                case BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift: return step >= 1 ? Direction.Shrink : Direction.Other;
                case BinaryOperatorKind.Divide: return step > 1 ? Direction.Shrink : Direction.Other;
                default: return Direction.Other;
            }
        }

        private static BinaryOperatorKind Negate(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.Equals => BinaryOperatorKind.NotEquals,
            BinaryOperatorKind.NotEquals => BinaryOperatorKind.Equals,
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThanOrEqual,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThanOrEqual,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThan,
            _ => kind,
        };

        private static BinaryOperatorKind Swap(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
            _ => kind,
        };

        /// <summary>The loop statement's keyword (while, for, do), found from the header block's code.</summary>
        private static Location LoopLocation(BasicBlock header) => LoopStatement(header) switch
        {
            WhileStatementSyntax w => w.WhileKeyword.GetLocation(),
            ForStatementSyntax f => f.ForKeyword.GetLocation(),
            DoStatementSyntax d => d.DoKeyword.GetLocation(),
            CommonForEachStatementSyntax e => e.ForEachKeyword.GetLocation(),
            _ => HeaderSyntax(header)?.GetLocation() ?? Location.None,
        };

        private static SyntaxNode? HeaderSyntax(BasicBlock header) =>
            header.BranchValue?.Syntax ?? (header.Operations.IsEmpty ? null : header.Operations[0].Syntax);

        /// <summary>The innermost loop statement around the header's code (null for a goto loop).</summary>
        private static StatementSyntax? LoopStatement(BasicBlock header)
        {
            for (SyntaxNode? node = HeaderSyntax(header); node is not null; node = node.Parent)
            {
                if (node is WhileStatementSyntax or ForStatementSyntax or DoStatementSyntax or CommonForEachStatementSyntax) return (StatementSyntax)node;
                if (node is MemberDeclarationSyntax) return null;
            }
            return null;
        }
    }
}
