using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules.Flow
{
    /// <summary>
    /// CSBPF0061's analysis: the verifier tracks each <c>bpf_ringbuf_reserve</c> (helper 131) result as an acquired
    /// reference and rejects a program that can reach its exit still holding one ("Unreleased reference id=N").
    /// This forward analysis over a control-flow graph does the same for ref locals assigned from
    /// <c>Reserve&lt;T&gt;()</c>: a local is held from the reservation until <c>Submit</c>/<c>Discard</c> (helpers
    /// 132/133), or on the branch where <c>Unsafe.IsNullRef(ref local)</c> holds (nothing was reserved). To never
    /// refuse a correct program, anything it does not follow (the ref passed to another method, aliased, or
    /// null-tested in a way it does not parse) counts as released. A leak is a path that returns, throws or
    /// reserves into the same local again while it is held.
    /// </summary>
    /// <remarks>The state maps each local to what it may hold on some path: reservations (their invocation
    /// operations) and <c>null</c> for "nothing held" (a local missing from the map holds nothing). Besides the
    /// leaks it records, for each call that passes a tracked local by reference, what the local may hold just
    /// before the call: the code fix uses it to place a Submit/Discard only where the record is held on every
    /// path.</remarks>
    internal sealed class ReservationFlow
    {
        private const int MaxSteps = 100_000;
        private readonly BpfCodeSymbols _symbols;
        private readonly Func<IInvocationOperation, bool>? _neutral;
        private readonly Dictionary<IOperation, ReservationLeak> _leaks = new Dictionary<IOperation, ReservationLeak>();

        private ReservationFlow(BpfCodeSymbols symbols, Func<IInvocationOperation, bool>? neutral)
        {
            _symbols = symbols;
            _neutral = neutral;
        }

        /// <summary>The leaks, by reservation, in source order.</summary>
        public IReadOnlyList<ReservationLeak> Leaks =>
            _leaks.Values.OrderBy(l => l.Origin.Syntax.SpanStart).ThenBy(l => l.Origin.Syntax.SyntaxTree.FilePath, StringComparer.Ordinal).ToList();

        /// <summary>For each call passing a tracked ref local by reference: what the local may hold just before it
        /// (<c>null</c>: nothing).</summary>
        public Dictionary<IInvocationOperation, HashSet<IOperation?>> CallStates { get; } = new Dictionary<IInvocationOperation, HashSet<IOperation?>>();

        /// <summary>
        /// Analyses <paramref name="graph"/> and the graphs of the lambdas in it. <paramref name="neutral"/> marks
        /// calls that are only observed (their state recorded) and release nothing: the code fix's probes.
        /// </summary>
        public static ReservationFlow Run(ControlFlowGraph graph, BpfCodeSymbols symbols, CancellationToken cancellationToken,
            Func<IInvocationOperation, bool>? neutral = null)
        {
            var flow = new ReservationFlow(symbols, neutral);
            var graphs = new Stack<ControlFlowGraph>();
            graphs.Push(graph);
            while (graphs.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ControlFlowGraph g = graphs.Pop();
                flow.Analyze(g);
                // A lambda (a Bpf.Loop callback) is a function of its own: its reservations end within it.
                foreach (BasicBlock block in g.Blocks)
                    foreach (IOperation op in OperationsOf(block))
                        foreach (IOperation node in op.DescendantsAndSelf())
                            if (node is IFlowAnonymousFunctionOperation lambda) graphs.Push(g.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken));
            }
            return flow;
        }

        private static IEnumerable<IOperation> OperationsOf(BasicBlock block)
        {
            foreach (IOperation op in block.Operations) yield return op;
            if (block.BranchValue is { } branch) yield return branch;
        }

        private void Analyze(ControlFlowGraph cfg)
        {
            bool any = false;
            foreach (BasicBlock b in cfg.Blocks)
                foreach (IOperation op in OperationsOf(b))
                    if (op.DescendantsAndSelf().Any(IsReservation)) any = true;
            if (!any) return;

            var entryStates = new Dictionary<BasicBlock, State>();
            var work = new Queue<BasicBlock>();
            work.Enqueue(cfg.Blocks[0]);
            entryStates[cfg.Blocks[0]] = new State();
            Location methodEnd = cfg.OriginalOperation.Syntax.GetLocation();
            int steps = 0;
            while (work.Count > 0)
            {
                BasicBlock block = work.Dequeue();
                if (++steps > MaxSteps) return; // pathological graph: leave it to the verifier
                State state = entryStates[block].Copy();
                foreach (IOperation op in block.Operations) Transfer(op, state, isBranch: false);
                // What reaches the exit block was recorded on the way in (Flow), with the place it left from.
                if (block.Kind == BasicBlockKind.Exit) continue;

                State whenTrue = state;
                State whenFalse = state.Copy();
                if (block.BranchValue is { } branch)
                {
                    Transfer(branch, state, isBranch: true);
                    whenFalse = state.Copy();
                    whenTrue = state;
                    var (local, negated) = NullTest(branch);
                    if (local is not null) (negated ? whenFalse : whenTrue).Release(local); // on the IsNullRef path nothing is held
                }
                if (block.ConditionalSuccessor?.Destination is { } conditional)
                    Flow(conditional, block.ConditionKind == ControlFlowConditionKind.WhenTrue ? whenTrue : whenFalse, block);
                if (block.FallThroughSuccessor is { } fall)
                {
                    State s = block.ConditionKind switch
                    {
                        ControlFlowConditionKind.WhenTrue => whenFalse,
                        ControlFlowConditionKind.WhenFalse => whenTrue,
                        _ => state,
                    };
                    if (fall.Destination is { } destination) Flow(destination, s, block);
                    else if (fall.Semantics is ControlFlowBranchSemantics.Return or ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow)
                        Leak(s, methodEnd);
                }
            }

            void Flow(BasicBlock destination, State s, BasicBlock source)
            {
                // A return leaves through the exit block: remember where, for the message.
                if (destination.Kind == BasicBlockKind.Exit)
                    Leak(s, source.BranchValue?.Syntax.GetLocation() ?? source.Operations.LastOrDefault()?.Syntax.GetLocation() ?? methodEnd);
                if (!entryStates.TryGetValue(destination, out State? existing))
                {
                    entryStates[destination] = s.Copy();
                    work.Enqueue(destination);
                }
                else if (existing.Join(s)) work.Enqueue(destination);
            }
        }

        private void Leak(State state, Location at) => Leak(state.HeldOrigins(), at);

        private void Leak(IEnumerable<IOperation?> held, Location at)
        {
            foreach (IOperation? origin in held)
            {
                if (origin is null) continue;
                if (!_leaks.TryGetValue(origin, out ReservationLeak? leak))
                {
                    string name = origin.Parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation l } ? l.Local.Name : "?";
                    _leaks[origin] = leak = new ReservationLeak(origin, name, at);
                }
                leak.Add(at);
            }
        }

        /// <summary>Updates the held set for one statement (or branch condition).</summary>
        private void Transfer(IOperation op, State state, bool isBranch)
        {
            foreach (IOperation node in op.DescendantsAndSelf())
            {
                switch (node)
                {
                    case ISimpleAssignmentOperation { IsRef: true, Target: ILocalReferenceOperation target, Value: var value }:
                        Leak(state.Of(target.Local), node.Syntax.GetLocation()); // overwritten while held
                        if (IsReservation(value)) state.Hold(target.Local, value);
                        else state.Release(target.Local);
                        if (value is ILocalReferenceOperation alias) state.Release(alias.Local); // aliased: not followed
                        break;
                    case IInvocationOperation call:
                        foreach (IArgumentOperation arg in call.Arguments)
                        {
                            if (arg.Value is not ILocalReferenceOperation { Local: var local } || !state.Tracks(local)) continue;
                            if (arg.Parameter?.RefKind == RefKind.None) continue;
                            if (IsNullRefCall(call) && isBranch) continue; // the caller refines the branches
                            if (!CallStates.TryGetValue(call, out HashSet<IOperation?>? seen)) CallStates[call] = seen = new HashSet<IOperation?>();
                            seen.UnionWith(state.Of(local));
                            // Submit/Discard release it; anything else is not followed, so counted as released.
                            if (_neutral?.Invoke(call) != true) state.Release(local);
                        }
                        break;
                }
            }
        }

        /// <summary>The local a branch condition tests with <c>Unsafe.IsNullRef(ref local)</c>, and whether it is negated.</summary>
        private (ILocalSymbol? Local, bool Negated) NullTest(IOperation branch)
        {
            bool negated = false;
            while (branch is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                branch = not.Operand;
                negated = !negated;
            }
            return branch is IInvocationOperation call && IsNullRefCall(call) && call.Arguments[0].Value is ILocalReferenceOperation l
                ? (l.Local, negated)
                : (null, false);
        }

        private bool IsNullRefCall(IInvocationOperation call) =>
            call.TargetMethod.Name == "IsNullRef" && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, _symbols.Unsafe);

        /// <summary>True for a <c>RingBuffer.Reserve&lt;T&gt;()</c> call (MapOperation.RingBufferReserve).</summary>
        public bool IsReservation(IOperation? op) =>
            op is IInvocationOperation call && _symbols.MapOperationOf(call.TargetMethod) == BpfCodeSymbols.MapOperationRingBufferReserve;

        /// <summary>What each tracked local may hold; a local that is not in the map holds nothing.</summary>
        private sealed class State
        {
            private static readonly HashSet<IOperation?> s_nothing = new HashSet<IOperation?> { null };
            private readonly Dictionary<ILocalSymbol, HashSet<IOperation?>> _locals = new Dictionary<ILocalSymbol, HashSet<IOperation?>>(SymbolEqualityComparer.Default);

            public State Copy()
            {
                var copy = new State();
                foreach (KeyValuePair<ILocalSymbol, HashSet<IOperation?>> entry in _locals) copy._locals[entry.Key] = new HashSet<IOperation?>(entry.Value);
                return copy;
            }

            public bool Tracks(ILocalSymbol local) => _locals.ContainsKey(local);

            public HashSet<IOperation?> Of(ILocalSymbol local) => _locals.TryGetValue(local, out HashSet<IOperation?>? held) ? held : s_nothing;

            public void Hold(ILocalSymbol local, IOperation origin) => _locals[local] = new HashSet<IOperation?> { origin };

            /// <summary>Nothing held any more (kept in the map: a later call is still observed).</summary>
            public void Release(ILocalSymbol local)
            {
                if (_locals.ContainsKey(local)) _locals[local] = new HashSet<IOperation?> { null };
            }

            public IEnumerable<IOperation?> HeldOrigins() => _locals.Values.SelectMany(held => held);

            /// <summary>Adds what <paramref name="other"/> may hold; true when that changed this state.</summary>
            public bool Join(State other)
            {
                bool changed = false;
                foreach (KeyValuePair<ILocalSymbol, HashSet<IOperation?>> entry in other._locals)
                {
                    if (!_locals.TryGetValue(entry.Key, out HashSet<IOperation?>? known))
                    {
                        // Not tracked on the paths seen so far: nothing held there.
                        _locals[entry.Key] = known = new HashSet<IOperation?> { null };
                        changed = true;
                    }
                    foreach (IOperation? o in entry.Value) changed |= known.Add(o);
                }
                foreach (KeyValuePair<ILocalSymbol, HashSet<IOperation?>> entry in _locals)
                    if (!other._locals.ContainsKey(entry.Key)) changed |= entry.Value.Add(null);
                return changed;
            }
        }
    }

    /// <summary>A reservation some path leaves (or overwrites) while it is still held.</summary>
    internal sealed class ReservationLeak
    {
        private readonly List<Location> _exits = new List<Location>();

        public ReservationLeak(IOperation origin, string local, Location first)
        {
            Origin = origin;
            Local = local;
            First = first;
        }

        /// <summary>The <c>Reserve&lt;T&gt;()</c> invocation.</summary>
        public IOperation Origin { get; }

        /// <summary>The ref local's name.</summary>
        public string Local { get; }

        /// <summary>The first leaking exit found (for the message).</summary>
        public Location First { get; }

        /// <summary>Every leaking exit found, in source order.</summary>
        public IReadOnlyList<Location> Exits => _exits.OrderBy(l => l.SourceSpan.Start).ToList();

        public void Add(Location at)
        {
            if (!_exits.Contains(at)) _exits.Add(at);
        }
    }
}
