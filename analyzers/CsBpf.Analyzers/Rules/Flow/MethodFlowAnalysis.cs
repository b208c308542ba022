using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Numerics;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules.Flow
{
    /// <summary>
    /// Forward data-flow analysis of one BPF method over Roslyn's <see cref="ControlFlowGraph"/> (the graph the
    /// compiler lowers): integer ranges of locals, parameters, flow captures and fields of locals, refined by
    /// branch conditions (<c>if (d != 0)</c>, <c>i &lt; s.Length</c>, masking, ...), with widening at loop heads;
    /// null-ness of map lookup results refined by <c>Unsafe.IsNullRef</c> (also through a bool that stored the
    /// test). After the fixpoint one more pass reports what the rules ask: divisors that may be zero (CSBPF0017)
    /// or -1 with a dividend that may be MinValue (0018), span indexes that may be out of range (0019), uses of a
    /// map lookup result that may be null (0016); and records the argument values of calls to other BPF methods
    /// (their parameters' ranges, analysed callers first).
    /// </summary>
    internal sealed partial class MethodFlowAnalysis
    {
        private const int WidenAfter = 3;

        private readonly BpfMethodCode _method;
        private readonly BpfCodeSymbols _symbols;
        private readonly ControlFlowGraph _graph;
        private readonly FlowState _entry;
        private readonly Dictionary<BasicBlock, List<FlowState>> _in = new Dictionary<BasicBlock, List<FlowState>>();
        private readonly Dictionary<(int From, int To), FlowState> _edges = new Dictionary<(int, int), FlowState>();
        private readonly Dictionary<BasicBlock, FlowState> _beforeBranch = new Dictionary<BasicBlock, FlowState>();
        private readonly HashSet<ISymbol> _aliased = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        private readonly Dictionary<CaptureId, ISymbol> _capturedVariables = new Dictionary<CaptureId, ISymbol>();

        /// <summary>The call after which a packet reference went stale (for the message).</summary>
        private readonly Dictionary<object, string> _staleAfter = new Dictionary<object, string>(KeyComparer.Instance);

        /// <summary>Helpers for which the kernel's bpf_helper_changes_pkt_data (net/core/filter.c) is true.</summary>
        private static bool ChangesPacketData(int id) => id is 9 or 10 or 11 or 13 or 18 or 19 or 31 or 38 or 39 or 43 or 44 or 50 or 54 or 63 or 65
            or 73 or 74 or 75 or 76 or 90 or 91;

        /// <summary>Which rule a possibly-null reference answers to: map lookups (CSBPF0016) or packet GetRef (0020).</summary>
        private readonly Dictionary<object, DiagnosticDescriptor> _nullSources = new Dictionary<object, DiagnosticDescriptor>(KeyComparer.Instance);
        private Action<Diagnostic>? _report;
        private readonly HashSet<(string, TextSpanKey)> _reported = new HashSet<(string, TextSpanKey)>();

        public MethodFlowAnalysis(BpfMethodCode method, BpfCodeSymbols symbols, FlowState entry)
        {
            _method = method;
            _symbols = symbols;
            _graph = method.Graph!;
            _entry = entry;
            FindAliasedLocals(method.Body);
        }

        public ControlFlowGraph Graph => _graph;

        /// <summary>Argument values of the calls to other BPF methods, from the reporting pass.</summary>
        public Dictionary<IInvocationOperation, (IMethodSymbol Callee, FlowValue[] Arguments)> CallSites { get; } = new Dictionary<IInvocationOperation, (IMethodSymbol, FlowValue[])>();

        /// <summary>The state on entry to a reachable block (after the fixpoint; the join of its disjuncts).</summary>
        public FlowState? InState(BasicBlock block) => _in.TryGetValue(block, out List<FlowState>? s) ? JoinAll(s) : null;

        /// <summary>The state flowing along an edge (after branch refinement).</summary>
        public FlowState? EdgeState(BasicBlock from, BasicBlock to) => _edges.TryGetValue((from.Ordinal, to.Ordinal), out FlowState? s) ? s : null;

        /// <summary>The state after a block's operations, where its branch condition is evaluated.</summary>
        public FlowState? StateBeforeBranch(BasicBlock block) => _beforeBranch.TryGetValue(block, out FlowState? s) ? s : null;

        /// <summary>The range of <paramref name="op"/> in <paramref name="state"/> (evaluated on a copy, nothing reported).</summary>
        public Interval? IntervalOf(IOperation op, FlowState state)
        {
            Action<Diagnostic>? saved = _report;
            _report = null;
            try { return Eval(op, state.Clone()).Integer; }
            finally { _report = saved; }
        }

        /// <summary>
        /// Runs to a fixpoint, then reports (when <paramref name="report"/> is given) and records call sites. A
        /// block keeps up to <see cref="MaxDisjuncts"/> states, one per kind of incoming path (so a guard like
        /// <c>if (b == 0 || (a == int.MinValue &amp;&amp; b == -1)) return 0;</c> still proves <c>a / b</c>);
        /// loop heads keep one, widened after a few visits.
        /// </summary>
        public void Run(Action<Diagnostic>? report)
        {
            var headers = new HashSet<int>();
            foreach (BasicBlock block in _graph.Blocks)
                foreach (ControlFlowBranch? branch in new[] { block.ConditionalSuccessor, block.FallThroughSuccessor })
                    if (branch?.Destination is { } d && d.Ordinal <= block.Ordinal) headers.Add(d.Ordinal);

            var visits = new Dictionary<BasicBlock, int>();
            var pending = new SortedSet<int>();
            BasicBlock entry = _graph.Blocks[0];
            _in[entry] = new List<FlowState> { _entry.Clone() };
            pending.Add(entry.Ordinal);
            int budget = _graph.Blocks.Length * 64 + 256;
            while (pending.Count > 0 && budget-- > 0)
            {
                BasicBlock block = _graph.Blocks[pending.Min];
                pending.Remove(block.Ordinal);
                foreach (FlowState input in _in[block].ToArray())
                    foreach (var (successor, state) in Transfer(block, input))
                    {
                        int count = visits.TryGetValue(successor, out int c) ? c : 0;
                        if (Merge(successor, state, headers.Contains(successor.Ordinal), count >= WidenAfter))
                        {
                            visits[successor] = count + 1;
                            pending.Add(successor.Ordinal);
                        }
                    }
            }

            // The reporting pass: every reachable block once per disjunct, from its fixpoint states.
            _report = report;
            var edges = new Dictionary<(int, int), FlowState>();
            foreach (BasicBlock block in _graph.Blocks)
            {
                if (!_in.TryGetValue(block, out List<FlowState>? inputs)) continue;
                FlowState? before = null;
                foreach (FlowState input in inputs)
                {
                    foreach (var (successor, edgeState) in Transfer(block, input))
                        edges[(block.Ordinal, successor.Ordinal)] = edges.TryGetValue((block.Ordinal, successor.Ordinal), out FlowState? e) ? FlowState.Join(e, edgeState)! : edgeState;
                    before = FlowState.Join(before, _lastBeforeBranch);
                }
                if (before is not null) _beforeBranch[block] = before;
            }
            foreach (var e in edges) _edges[e.Key] = e.Value;
            _report = null;
        }

        private const int MaxDisjuncts = 4;

        /// <summary>Adds a state reaching <paramref name="block"/>; true when the block's states changed.</summary>
        private bool Merge(BasicBlock block, FlowState state, bool isLoopHead, bool widen)
        {
            if (!_in.TryGetValue(block, out List<FlowState>? old))
            {
                _in[block] = new List<FlowState> { state.Clone() };
                return true;
            }
            if (isLoopHead)
            {
                FlowState current = JoinAll(old)!;
                FlowState merged = widen ? FlowState.Widen(current, state) : FlowState.Join(current, state)!;
                if (merged.SameAs(current) && old.Count == 1) return false;
                _in[block] = new List<FlowState> { merged };
                return true;
            }
            foreach (FlowState s in old)
                if (s.SameAs(state)) return false;
            if (old.Count < MaxDisjuncts)
            {
                _in[block] = new List<FlowState>(old) { state.Clone() };
                return true;
            }
            FlowState all = JoinAll(old)!;
            FlowState joined = FlowState.Join(all, state)!;
            if (old.Count == 1 && joined.SameAs(all)) return false;
            _in[block] = new List<FlowState> { joined };
            return true;
        }

        private static FlowState? JoinAll(List<FlowState> states)
        {
            FlowState? result = null;
            foreach (FlowState s in states) result = FlowState.Join(result, s);
            return result;
        }

        private FlowState? _lastBeforeBranch;

        /// <summary>Evaluates a block; returns the states flowing to its successors.</summary>
        private List<(BasicBlock, FlowState)> Transfer(BasicBlock block, FlowState input)
        {
            var result = new List<(BasicBlock, FlowState)>(2);
            FlowState state = input.Clone();
            foreach (IOperation op in block.Operations) Statement(op, state);
            if (_report is not null) _lastBeforeBranch = state.Clone();

            if (block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is { } condition)
            {
                FlowValue value = Eval(condition, state);
                bool jumpWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                AddEdge(result, block.ConditionalSuccessor, Branch(state, condition, value, jumpWhen));
                AddEdge(result, block.FallThroughSuccessor, Branch(state, condition, value, !jumpWhen));
            }
            else
            {
                if (block.BranchValue is { } returned)
                    Eval(returned, state, addressOnly: _method.Method.ReturnsByRef || _method.Method.ReturnsByRefReadonly);
                AddEdge(result, block.FallThroughSuccessor, state);
            }
            return result;
        }

        private static void AddEdge(List<(BasicBlock, FlowState)> edges, ControlFlowBranch? branch, FlowState? state)
        {
            if (state is null || branch?.Destination is not { } destination) return;
            edges.Add((destination, state));
        }

        /// <summary>The state on the branch taken when <paramref name="condition"/> is <paramref name="outcome"/>; null if impossible.</summary>
        private FlowState? Branch(FlowState state, IOperation condition, FlowValue value, bool outcome)
        {
            if (value.Integer is { IsConstant: true } c && (c.Lo.IsZero == outcome)) return null;
            FlowState next = state.Clone();
            ImmutableDictionary<object, FlowValue>? facts = outcome ? value.WhenTrue : value.WhenFalse;
            if (facts is not null && !next.Refine(facts)) return null;
            return next;
        }

        // ---- statements ----

        private void Statement(IOperation op, FlowState state)
        {
            switch (op)
            {
                case IFlowCaptureOperation capture:
                    {
                        // A captured local may be the target of a later assignment (the CFG captures targets
                        // before a branching value): remember which variable the capture stands for.
                        if (capture.Value is ILocalReferenceOperation { Local: { RefKind: RefKind.None } l }) _capturedVariables[capture.Id] = l;
                        else if (capture.Value is IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } p }) _capturedVariables[capture.Id] = p;
                        FlowValue value = Eval(capture.Value, state, addressOnly: true);
                        if (NullSourceOf(capture.Value) is { } rule) _nullSources[capture.Id] = rule;
                        state.Set(capture.Id, value.CopyOf is null && _capturedVariables.TryGetValue(capture.Id, out ISymbol? v) ? value.WithCopyOf(v) : value);
                        break;
                    }
                case IExpressionStatementOperation expression:
                    Eval(expression.Operation, state);
                    break;
                default:
                    Eval(op, state);
                    break;
            }
        }

        // ---- expressions ----

        private FlowValue Eval(IOperation op, FlowState state, bool addressOnly = false)
        {
            if (op.ConstantValue.HasValue && Interval.OfConstant(op.ConstantValue.Value) is { } constant)
                return new FlowValue(constant, Interval.Of(op.Type));
            switch (op)
            {
                case ISizeOfOperation sizeOf when TypeSizes.Of(sizeOf.TypeOperand, _symbols) is var (size, _):
                    // sizeof of a struct is a constant to the compiler, not to C#: a bound for loops such as
                    // `for (int i = 0; i < size; i++)` with `size` passed as sizeof(T). (TypeSizes does not apply
                    // Pack or explicit offsets: a finite estimate, never a proof the compiler relies on.)
                    return new FlowValue(Interval.Constant(size), Interval.Of(op.Type));
                case ILocalReferenceOperation local:
                    {
                        if (local.Local.RefKind != RefKind.None)
                        {
                            if (!addressOnly) CheckDereference(local.Local, op, state, local.Local.Name);
                            FlowValue target = state.TryGet(local.Local, out FlowValue r) ? r : FlowValue.Unknown;
                            return new FlowValue(addressOnly ? null : Interval.Of(op.Type), Interval.Of(op.Type), target.Reference);
                        }
                        return Read(local.Local, op.Type, state);
                    }
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter.RefKind == RefKind.None ? Read(parameter.Parameter, op.Type, state) : FlowValue.Of(op.Type);
                case IFlowCaptureReferenceOperation captureReference:
                    {
                        FlowValue captured = state.TryGet(captureReference.Id, out FlowValue v) ? v : FlowValue.Of(op.Type);
                        if (captured.Reference is Nullness.MaybeNull or Nullness.Null or Nullness.Stale && !addressOnly)
                        {
                            CheckDereference(captureReference.Id, op, state, DiagnosticText.Snippet(op.Syntax));
                            return FlowValue.Of(op.Type);
                        }
                        return captured.Integer is null && !addressOnly ? FlowValue.Of(op.Type).WithReference(captured.Reference) : captured;
                    }
                case IFieldReferenceOperation field:
                    {
                        // A field of a local is read from its storage; a field through a reference (a ref local, a call
                        // returning a ref, a capture of one) dereferences that reference.
                        if (field.Instance is { } instance) Eval(instance, state, addressOnly: IsStorage(instance));
                        return FieldKeyOf(field) is { } key && state.TryGet(key, out FlowValue known) ? known : FlowValue.Of(op.Type);
                    }
                case IConversionOperation conversion:
                    return Convert(Eval(conversion.Operand, state, addressOnly), conversion.Operand.Type, conversion.Type);
                case IParenthesizedOperation parenthesized:
                    return Eval(parenthesized.Operand, state, addressOnly);
                case IBinaryOperation binary:
                    return Binary(binary, state);
                case IUnaryOperation unary:
                    return Unary(unary, state);
                case ISimpleAssignmentOperation assignment:
                    return Assign(assignment, state);
                case ICompoundAssignmentOperation compound:
                    return CompoundAssign(compound, state);
                case IIncrementOrDecrementOperation increment:
                    return IncrementOrDecrement(increment, state);
                case IInvocationOperation invocation:
                    return Invocation(invocation, state, addressOnly);
                case IPropertyReferenceOperation property:
                    return Property(property, state);
                case IDeclarationExpressionOperation declaration:
                    return Eval(declaration.Expression, state, addressOnly: true);
                case IInlineArrayAccessOperation inlineArray:
                    return InlineArrayAccess(inlineArray, state);
                case IImplicitIndexerReferenceOperation implicitIndexer:
                    return ImplicitIndexer(implicitIndexer, state);
                case { Kind: OperationKind.None } when TryFixedBufferElement(op, state):
                    return FlowValue.Of(op.Type);
                case ISizeOfOperation sizeOf when TypeSizes.Of(sizeOf.TypeOperand, _symbols) is var (size, _):
                    return new FlowValue(Interval.Constant(size), Interval.Of(op.Type));
                case { Kind: OperationKind.None } when op.Syntax is StackAllocArrayCreationExpressionSyntax:
                    {
                        Interval? length = null;
                        foreach (IOperation child in op.ChildOperations)
                            if (length is null && child.ConstantValue is { HasValue: true, Value: int n }) length = Interval.Constant(n);
                        return new FlowValue(null, null, Nullness.Unknown, null, null, length ?? new Interval(0, int.MaxValue));
                    }
                default:
                    foreach (IOperation child in op.ChildOperations) Eval(child, state);
                    return FlowValue.Of(op.Type);
            }
        }

        private FlowValue Read(ISymbol variable, ITypeSymbol? type, FlowState state)
        {
            FlowValue value = state.TryGet(variable, out FlowValue v)
                ? v.Integer is null && v.Length is null && v.WhenTrue is null ? FlowValue.Of(type).WithReference(v.Reference) : v
                : FlowValue.Of(type);
            if (_symbols.IsSpan(type))
            {
                // The span's length as a value of its own, so tests of s.Length narrow it (MethodFlowAnalysis.Indexes).
                var length = new SpanLengthKey(variable);
                if (!state.TryGet(length, out _))
                    state.Set(length, new FlowValue(LengthOf(value, state), s_int, copyOf: value.LengthOf));
                value = value.WithLengthOf(length);
            }
            return value.WithCopyOf(variable);
        }

        /// <summary>The variable a stored value is a plain copy of (a test of either then narrows both), or null.</summary>
        private static object? CopySource(FlowValue value, ISymbol target) =>
            value.CopyOf is ISymbol source && !SymbolEqualityComparer.Default.Equals(source, target) ? source : null;

        private FieldKey? FieldKeyOf(IFieldReferenceOperation field)
        {
            ISymbol? root = field.Instance switch
            {
                ILocalReferenceOperation { Local.RefKind: RefKind.None } l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (root is null || field.Field.IsStatic) return null;
            return new FieldKey(root, field.Field);
        }

        private FlowValue Convert(FlowValue value, ITypeSymbol? from, ITypeSymbol? to)
        {
            Interval? range = Interval.Of(to);
            if (range is null)
            {
                // An inline array converted to a span: the span has the array's length.
                if (_symbols.IsSpan(to) && _symbols.InlineArrayLength(from) is int n) return new FlowValue(null, null, Nullness.Unknown, null, null, Interval.Constant(n));
                return value; // spans, structs, refs: carry length / null-ness through
            }
            return new FlowValue(value.Integer is { } i ? i.WrapTo(to) : range, range, Nullness.Unknown, value.WhenTrue, value.WhenFalse);
        }

        private FlowValue Binary(IBinaryOperation binary, FlowState state)
        {
            BinaryOperatorKind kind = binary.OperatorKind;
            if (kind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
            {
                Eval(binary.LeftOperand, state);
                Eval(binary.RightOperand, state);
                return FlowValue.Of(binary.Type);
            }
            FlowValue left = Eval(binary.LeftOperand, state), right = Eval(binary.RightOperand, state);
            ITypeSymbol? type = binary.Type;
            Interval? range = Interval.Of(type);
            if (IsComparison(kind)) return Comparison(binary, left, right);
            if (kind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder)
                CheckDivision(binary, binary.LeftOperand.Type, left, right, binary.RightOperand);
            if (left.Integer is not { } a || right.Integer is not { } b || range is null) return FlowValue.Of(type);
            Interval? exact = Arithmetic(kind, a, b, binary.LeftOperand.Type, type);
            return new FlowValue(exact?.WrapTo(type) ?? range, range);
        }

        /// <summary>The exact (unwrapped) result of an integer operation, or null when unknown.</summary>
        private static Interval? Arithmetic(BinaryOperatorKind kind, Interval a, Interval b, ITypeSymbol? operandType, ITypeSymbol? type)
        {
            int width = operandType?.SpecialType switch
            {
                SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_IntPtr or SpecialType.System_UIntPtr => 64,
                _ => 32,
            };
            switch (kind)
            {
                case BinaryOperatorKind.Add: return Interval.Add(a, b);
                case BinaryOperatorKind.Subtract: return Interval.Subtract(a, b);
                case BinaryOperatorKind.Multiply: return Interval.Multiply(a, b);
                case BinaryOperatorKind.Divide: return b.NonZero || !b.MayBeZero ? Interval.Divide(a, b) : null;
                case BinaryOperatorKind.Remainder: return b.MayBeZero ? null : Interval.Remainder(a, b);
                case BinaryOperatorKind.And: return Interval.And(a, b);
                case BinaryOperatorKind.Or: return Interval.Or(a, b);
                case BinaryOperatorKind.ExclusiveOr: return Interval.Xor(a, b);
                case BinaryOperatorKind.LeftShift:
                    {
                        // C# masks the count to the operand width (& 31 / & 63).
                        Interval count = MaskCount(b, width);
                        if (a.IsConstant && !a.Lo.IsZero && count.Hi <= width - 1 - Interval.TrailingZeros(a.Lo))
                        {
                            // A non-zero constant shifted less than its leading zeros never becomes zero, even wrapped.
                            Interval? shifted = Interval.ShiftLeft(a, count);
                            Interval whole = Interval.Of(type) ?? shifted ?? a;
                            return shifted is { } s && s.Lo >= whole.Lo && s.Hi <= whole.Hi ? s : new Interval(whole.Lo, whole.Hi, nonZero: true);
                        }
                        return Interval.ShiftLeft(a, count);
                    }
                case BinaryOperatorKind.RightShift:
                case BinaryOperatorKind.UnsignedRightShift:
                    return Interval.ShiftRight(a, MaskCount(b, width));
                default: return null;
            }
        }

        private static Interval MaskCount(Interval count, int width) =>
            count.Lo >= 0 && count.Hi < width ? count : new Interval(0, width - 1);

        private static bool IsComparison(BinaryOperatorKind kind) => kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals
            or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual;

        private FlowValue Unary(IUnaryOperation unary, FlowState state)
        {
            FlowValue operand = Eval(unary.Operand, state);
            ITypeSymbol? type = unary.Type;
            switch (unary.OperatorKind)
            {
                case UnaryOperatorKind.Not:
                    {
                        FlowValue negated = operand.Negated();
                        return negated.WithInteger(operand.Integer is { IsConstant: true } c ? Interval.Constant(c.Lo.IsZero ? 1 : 0) : new Interval(0, 1));
                    }
                case UnaryOperatorKind.Minus when operand.Integer is { } i:
                    return new FlowValue(Interval.Negate(i).WrapTo(type), Interval.Of(type));
                case UnaryOperatorKind.Plus:
                    return operand;
                case UnaryOperatorKind.BitwiseNegation when operand.Integer is { } i:
                    return new FlowValue(new Interval(-i.Hi - 1, -i.Lo - 1).WrapTo(type), Interval.Of(type));
                default:
                    return FlowValue.Of(type);
            }
        }

        private FlowValue Assign(ISimpleAssignmentOperation assignment, FlowState state)
        {
            if (assignment.IsRef)
            {
                FlowValue source = Eval(assignment.Value, state, addressOnly: true);
                if (assignment.Target is ILocalReferenceOperation { Local: var refLocal })
                {
                    state.Set(refLocal, new FlowValue(null, null, source.Reference));
                    if (NullSourceOf(assignment.Value) is { } rule) _nullSources[refLocal] = rule;
                }
                return source;
            }
            FlowValue value = Eval(assignment.Value, state);
            Store(assignment.Target, value, state);
            return value;
        }

        /// <summary>Writes <paramref name="value"/> to a target: tracked for locals, parameters and their fields.</summary>
        private void Store(IOperation target, FlowValue value, FlowState state)
        {
            switch (target)
            {
                case ILocalReferenceOperation { Local: var local } when local.RefKind == RefKind.None:
                    state.Set(local, Convert(value, null, local.Type).WithCopyOf(CopySource(value, local)));
                    break;
                case ILocalReferenceOperation { Local: var refLocal }:
                    CheckDereference(refLocal, target, state, refLocal.Name);
                    ForgetAliased(state);
                    break;
                case IParameterReferenceOperation { Parameter: var parameter } when parameter.RefKind == RefKind.None:
                    state.Set(parameter, Convert(value, null, parameter.Type));
                    break;
                case IFieldReferenceOperation field:
                    {
                        if (field.Instance is { } instance) Eval(instance, state, addressOnly: IsStorage(instance));
                        if (FieldKeyOf(field) is { } key) state.Set(key, Convert(value, null, field.Field.Type));
                        else
                        {
                            if (field.Instance is { } root && RootOf(root) is { } r) state.Forget(r);
                            if (field.Instance is { } through && !IsStorage(through)) ForgetAliased(state);
                        }
                        break;
                    }
                case IFlowCaptureReferenceOperation capture:
                    if (state.TryGet(capture.Id, out FlowValue captured) && captured.Reference is Nullness.MaybeNull or Nullness.Null or Nullness.Stale)
                        CheckDereference(capture.Id, target, state, DiagnosticText.Snippet(target.Syntax));
                    else if (_capturedVariables.TryGetValue(capture.Id, out ISymbol? variable) && variable is ILocalSymbol or IParameterSymbol)
                        state.Set(variable, Convert(value, null, variable is ILocalSymbol l ? l.Type : ((IParameterSymbol)variable).Type));
                    else
                        ForgetAliased(state);
                    break;
                default:
                    // Through a pointer or reference (*p = v, p[i] = v, Unsafe.As<..>(ref x) = v): any aliased variable may change.
                    Eval(target, state, addressOnly: true);
                    ForgetAliased(state);
                    break;
            }
        }

        private FlowValue CompoundAssign(ICompoundAssignmentOperation compound, FlowState state)
        {
            FlowValue current = Eval(compound.Target, state);
            FlowValue operand = Eval(compound.Value, state);
            ITypeSymbol? type = compound.Target.Type;
            if (compound.OperatorKind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder)
            {
                // C# promotes byte/short operands to int: only int/long-wide targets can hold MinValue.
                ITypeSymbol? operationType = Interval.Of(type) is { } t && t.Hi - t.Lo < BigInteger.One << 32 && (t.Hi - t.Lo) != (BigInteger.One << 32) - 1 ? null : type;
                CheckDivision(compound, operationType ?? type, current, operand, compound.Value);
            }
            Interval? result = current.Integer is { } a && operand.Integer is { } b ? Arithmetic(compound.OperatorKind, a, b, type, type) : null;
            var value = new FlowValue(result?.WrapTo(type) ?? Interval.Of(type), Interval.Of(type));
            Store(compound.Target, value, state);
            return value;
        }

        private FlowValue IncrementOrDecrement(IIncrementOrDecrementOperation increment, FlowState state)
        {
            FlowValue current = Eval(increment.Target, state);
            ITypeSymbol? type = increment.Target.Type;
            Interval one = Interval.Constant(1);
            Interval? result = current.Integer is { } a
                ? (increment.Kind == OperationKind.Increment ? Interval.Add(a, one) : Interval.Subtract(a, one)).WrapTo(type) : Interval.Of(type);
            var value = new FlowValue(result, Interval.Of(type));
            Store(increment.Target, value, state);
            return increment.IsPostfix ? current : value;
        }

        private FlowValue Invocation(IInvocationOperation invocation, FlowState state, bool addressOnly)
        {
            IMethodSymbol target = invocation.TargetMethod;
            if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _symbols.IsNullRef) && invocation.Arguments.Length == 1)
            {
                IOperation reference = invocation.Arguments[0].Value;
                FlowValue tested = Eval(reference, state, addressOnly: true);
                if (ReferenceKey(reference) is not { } key) return FlowValue.Of(invocation.Type);
                var isNull = ImmutableDictionary.Create<object, FlowValue>(KeyComparer.Instance).Add(key, new FlowValue(null, null, Nullness.Null));
                var nonNull = ImmutableDictionary.Create<object, FlowValue>(KeyComparer.Instance).Add(key, new FlowValue(null, null, Nullness.NonNull));
                Interval? known = tested.Reference == Nullness.Null ? Interval.Constant(1) : tested.Reference == Nullness.NonNull ? Interval.Constant(0) : new Interval(0, 1);
                return new FlowValue(known, new Interval(0, 1), Nullness.Unknown, isNull, nonNull);
            }
            if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _symbols.NullRef))
                return new FlowValue(null, null, Nullness.Null);
            if (target.Name == "SizeOf" && target.TypeArguments.Length == 1 && SymbolEqualityComparer.Default.Equals(target.ContainingType, _symbols.Unsafe)
                && TypeSizes.Of(target.TypeArguments[0], _symbols) is var (size, _))
                return new FlowValue(Interval.Constant(size), Interval.Of(invocation.Type));

            if (SpanSlice(invocation, state) is { } slice) return slice;
            if (invocation.Instance is { } instance) Eval(instance, state, addressOnly: true);
            BpfMethodCode? callee = null;
            FlowValue[]? arguments = null;
            if (target.IsStatic && SymbolEqualityComparer.Default.Equals(target.ContainingType, _method.Method.ContainingType))
            {
                callee = FindCallee(target);
                if (callee is not null) arguments = new FlowValue[target.Parameters.Length];
            }
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                IParameterSymbol? parameter = argument.Parameter;
                bool byReference = parameter is not null && parameter.RefKind != RefKind.None;
                FlowValue value = Eval(argument.Value, state, addressOnly: byReference && IsOutArgument(argument));
                if (arguments is not null && parameter is not null && parameter.Ordinal < arguments.Length) arguments[parameter.Ordinal] = value;
                // The callee may write through ref and out arguments.
                if (byReference && parameter!.RefKind is RefKind.Ref or RefKind.Out && RootOf(argument.Value) is { } written) state.Forget(written);
            }
            // ... and through pointers to variables whose address was taken (Unsafe.Write, a helper's buffer, a callee).
            ForgetAliased(state);
            // A helper that may move or resize the packet (bpf_helper_changes_pkt_data, net/core/filter.c)
            // invalidates every packet reference taken before it.
            if (_symbols.HelperAttribute(target) is { ConstructorArguments: { Length: > 0 } helperArgs } && helperArgs[0].Value is int helperId
                && ChangesPacketData(helperId))
            {
                var stale = new List<object>();
                foreach (var entry in state.Entries)
                    if (_nullSources.TryGetValue(entry.Key, out DiagnosticDescriptor? source) && source == BpfDiagnostics.PacketReferenceNullCheck
                        && entry.Value.Reference != Nullness.Unknown)
                        stale.Add(entry.Key);
                foreach (object key in stale)
                {
                    state.TryGet(key, out FlowValue old);
                    state.Set(key, old.WithReference(Nullness.Stale));
                    _staleAfter[key] = DiagnosticText.Snippet(invocation.Syntax);
                }
            }
            if (arguments is not null && _report is not null)
            {
                // Evaluated once per disjunct of its block: the site's values are the join.
                if (CallSites.TryGetValue(invocation, out var earlier))
                    for (int i = 0; i < arguments.Length; i++) arguments[i] = FlowValue.Join(earlier.Arguments[i], arguments[i]);
                CallSites[invocation] = (callee!.Method, arguments);
            }

            if (NullSourceOf(invocation) is { } nullRule)
            {
                if (!addressOnly) ReportOnce(nullRule, invocation.Syntax, DiagnosticText.Snippet(invocation.Syntax));
                return new FlowValue(null, null, addressOnly ? Nullness.MaybeNull : Nullness.NonNull);
            }
            return FlowValue.Of(invocation.Type);
        }

        private BpfMethodCode? FindCallee(IMethodSymbol target) => Callees?.Invoke(target.OriginalDefinition.PartialDefinitionPart ?? target.OriginalDefinition);

        /// <summary>Resolves a called method to its BPF code (set by the class analysis).</summary>
        public Func<IMethodSymbol, BpfMethodCode?>? Callees { get; set; }

        /// <summary>Whether what the reporting pass proves holds for every call of the method, so the compiler may
        /// rely on it (<see cref="GuardProofs"/>): false when the entry state narrows parameters from the call
        /// sites this analysis saw (a caller outside the class, such as another BPF class or a helper library,
        /// may pass anything).</summary>
        public bool RecordsProofs { get; set; }

        private static bool IsOutArgument(IArgumentOperation argument) => argument.Parameter?.RefKind == RefKind.Out;

        private FlowValue Property(IPropertyReferenceOperation property, FlowState state)
        {
            if (property.Instance is not { } instance) return FlowValue.Of(property.Type);
            FlowValue owner = Eval(instance, state, addressOnly: true);
            if (!_symbols.IsSpan(instance.Type))
            {
                foreach (IArgumentOperation argument in property.Arguments) Eval(argument.Value, state);
                return FlowValue.Of(property.Type);
            }
            Interval length = LengthOf(owner, state);
            if (property.Property.Name == "Length" && !property.Property.IsIndexer)
                return new FlowValue(length, Interval.Of(property.Type), copyOf: owner.LengthOf);
            if (property.Property.IsIndexer && property.Arguments.Length == 1)
            {
                IOperation indexOperation = property.Arguments[0].Value;
                FlowValue index = Eval(indexOperation, state);
                Interval i = index.Integer ?? new Interval(int.MinValue, int.MaxValue);
                if ((i.Lo < 0 || i.Hi >= length.Lo) && Decisive(length, i))
                    ReportOnce(BpfDiagnostics.SpanIndexOutOfRange, property.Syntax, $"The index '{DiagnosticText.Snippet(indexOperation.Syntax)}' may be out of range",
                        "C# throws IndexOutOfRangeException there; test it first, e.g. if ((uint)i < (uint)span.Length) ...");
            }
            return FlowValue.Of(property.Type);
        }

        // ---- checks ----

        private void CheckDivision(IOperation at, ITypeSymbol? operandType, FlowValue dividend, FlowValue divisor, IOperation divisorOperation)
        {
            Interval? range = Interval.Of(operandType);
            if (range is null) return;
            Interval d = divisor.Integer ?? range.Value;
            bool constant = divisorOperation.ConstantValue.HasValue;
            bool mayBeZero = !constant && d.MayBeZero;
            if (mayBeZero)
                ReportOnce(BpfDiagnostics.DivisionByZero, at.Syntax, DiagnosticText.Snippet(divisorOperation.Syntax));
            bool signed = range.Value.Lo < 0;
            bool mayOverflow = signed && d.Contains(-1) && (dividend.Integer ?? range.Value).Contains(range.Value.Lo) && (!constant || d.IsConstant);
            if (mayOverflow)
                ReportOnce(BpfDiagnostics.DivisionOverflow, at.Syntax, DiagnosticText.Snippet(divisorOperation.Syntax));
            if (_report is not null && RecordsProofs)
            {
                // The reporting pass: what it proved, for the compiler's guards (GuardProofs).
                GuardProofs.Record(at.Syntax, BpfDiagnostics.DivisionByZero.Id, !mayBeZero);
                GuardProofs.Record(at.Syntax, BpfDiagnostics.DivisionOverflow.Id, !mayOverflow);
            }
        }

        private void CheckDereference(object key, IOperation at, FlowState state, string name)
        {
            if (state.TryGet(key, out FlowValue stale) && stale.Reference == Nullness.Stale)
            {
                ReportOnce(BpfDiagnostics.StalePacketReference, at.Syntax, name, _staleAfter.TryGetValue(key, out string? call) ? call : "a packet helper");
                state.Set(key, stale.WithReference(Nullness.NonNull));
                return;
            }
            if (!state.TryGet(key, out FlowValue value) || value.Reference is not (Nullness.MaybeNull or Nullness.Null)) return;
            ReportOnce(_nullSources.TryGetValue(key, out DiagnosticDescriptor? rule) ? rule : BpfDiagnostics.MapValueNullCheck, at.Syntax, name);
            // Reported once: assume the check from here on, as C# nullable analysis does after a warning.
            state.Set(key, value.WithReference(Nullness.NonNull));
        }

        private void ReportOnce(DiagnosticDescriptor descriptor, SyntaxNode syntax, params object[] args)
        {
            if (_report is null) return;
            if (!_reported.Add((descriptor.Id, new TextSpanKey(syntax.SpanStart, syntax.Span.Length)))) return;
            _report(Diagnostic.Create(descriptor, syntax.GetLocation(), args));
        }

        private readonly struct TextSpanKey : IEquatable<TextSpanKey>
        {
            public TextSpanKey(int start, int length) { Start = start; Length = length; }
            public int Start { get; }
            public int Length { get; }
            public bool Equals(TextSpanKey other) => Start == other.Start && Length == other.Length;
            public override bool Equals(object? obj) => obj is TextSpanKey k && Equals(k);
            public override int GetHashCode() => Start * 397 ^ Length;
        }

        // ---- helpers ----

        /// <summary>A variable's own storage (a by-value local or parameter, or a field of one), as opposed to a reference.</summary>
        private static bool IsStorage(IOperation op) => op switch
        {
            ILocalReferenceOperation { Local.RefKind: RefKind.None } => true,
            IParameterReferenceOperation => true,
            IFieldReferenceOperation { Instance: null } => true,
            IFieldReferenceOperation { Instance: { } inner } => IsStorage(inner),
            _ => false,
        };

        /// <summary>The rule for a call that returns a possibly-null reference: a map lookup (bpf_map_lookup_elem
        /// returns NULL for a missing key) or a packet GetRef (null when data + offset + size passes data_end).</summary>
        private DiagnosticDescriptor? NullSourceOf(IOperation op)
        {
            while (op is IConversionOperation { IsImplicit: true } c) op = c.Operand;
            if (op is not IInvocationOperation { TargetMethod: var target }) return null;
            if (_symbols.IsMapLookup(target)) return BpfDiagnostics.MapValueNullCheck;
            if (_symbols.PacketOperationOf(target) == BpfCodeSymbols.PacketOperationGetRef) return BpfDiagnostics.PacketReferenceNullCheck;
            return null;
        }

        /// <summary>The key of a reference that can be tested for null: a ref local or a captured reference.</summary>
        private static object? ReferenceKey(IOperation op) => op switch
        {
            ILocalReferenceOperation { Local.RefKind: not RefKind.None } l => l.Local,
            IFlowCaptureReferenceOperation c => c.Id,
            _ => null,
        };

        /// <summary>The variable whose storage <paramref name="op"/> designates (through field accesses).</summary>
        internal static ISymbol? RootOf(IOperation op)
        {
            while (true)
            {
                switch (op)
                {
                    case IConversionOperation { IsImplicit: true } c: op = c.Operand; continue;
                    case ILocalReferenceOperation l: return l.Local;
                    case IParameterReferenceOperation p: return p.Parameter;
                    case IDeclarationExpressionOperation d: op = d.Expression; continue;
                    case IFieldReferenceOperation { Instance: { } i }: op = i; continue;
                    default: return null;
                }
            }
        }

        /// <summary>Forgets the variables a pointer or ref may alias: a write through one (or a call) may change them.</summary>
        private void ForgetAliased(FlowState state)
        {
            foreach (ISymbol variable in _aliased) state.Forget(variable);
        }

        /// <summary>Locals whose storage a ref local or pointer may alias: tracked between writes through pointers,
        /// references and calls, which forget them (<see cref="ForgetAliased"/>).</summary>
        private void FindAliasedLocals(IOperation body)
        {
            foreach (IOperation op in body.Descendants())
            {
                IOperation? aliased = op switch
                {
                    ISimpleAssignmentOperation { IsRef: true } a => a.Value,
                    IAddressOfOperation addressOf => addressOf.Reference,
                    IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None } } init => init.Value,
                    _ => null,
                };
                if (aliased is not null && RootOf(aliased) is { } root) _aliased.Add(root);
            }
        }
    }
}
