using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// CSBPF0061: every ring buffer reservation held in a ref local must be submitted or discarded on every path.
internal sealed partial class FunctionLowering
{
    /// <summary>
    /// The verifier tracks each <c>bpf_ringbuf_reserve</c> result as an acquired reference and rejects a program
    /// that can reach its exit still holding one ("Unreleased reference id=N"). This forward analysis over the
    /// method's control-flow graph does the same for ref locals assigned from <c>Reserve&lt;T&gt;()</c>: a local is
    /// live from the reservation until <c>Submit</c>/<c>Discard</c>, or on the branch where
    /// <c>Unsafe.IsNullRef(ref local)</c> holds (nothing was reserved). To never refuse a correct program, anything
    /// it does not follow (the ref passed to another method, aliased, or null-tested in a way it does not parse)
    /// counts as released. Leaks are reported at the reservation, with the line where a path leaves the method.
    /// </summary>
    private void CheckRingBufferReservations(ControlFlowGraph cfg)
    {
        bool any = cfg.Blocks.Any(b => b.Operations.Append(b.BranchValue).Any(op => op?.DescendantsAndSelf().Any(IsReservation) == true));
        if (!any) return;

        // State: for each live ref local, the reservations that may be what it holds.
        var entryStates = new Dictionary<BasicBlock, Dictionary<ILocalSymbol, HashSet<IOperation>>>();
        var work = new Queue<BasicBlock>([cfg.Blocks[0]]);
        entryStates[cfg.Blocks[0]] = new(SymbolEqualityComparer.Default);
        var leaks = new Dictionary<IOperation, Location>();
        int steps = 0;
        while (work.TryDequeue(out BasicBlock? block))
        {
            if (++steps > 100_000) return; // pathological graph: leave it to the verifier
            var state = Copy(entryStates[block]);
            foreach (IOperation op in block.Operations) Transfer(op, state, leaks);
            if (block.Kind == BasicBlockKind.Exit)
            {
                foreach (var origins in state.Values)
                    foreach (IOperation origin in origins)
                        leaks.TryAdd(origin, ExitLocation(cfg));
                continue;
            }

            var whenTrue = state;
            var whenFalse = Copy(state);
            if (block.BranchValue is { } branch)
            {
                Transfer(branch, state, leaks, isBranch: true);
                whenFalse = Copy(state);
                whenTrue = state;
                if (NullTest(branch) is var (local, negated) && local is not null)
                    (negated ? whenFalse : whenTrue).Remove(local); // on the IsNullRef path nothing is held
            }
            if (block.ConditionalSuccessor?.Destination is { } conditional)
                Flow(conditional, block.ConditionKind == ControlFlowConditionKind.WhenTrue ? whenTrue : whenFalse, block.FallThroughSuccessor, leaks, cfg);
            if (block.FallThroughSuccessor is { } fall)
            {
                var s = block.ConditionKind switch
                {
                    ControlFlowConditionKind.WhenTrue => whenFalse,
                    ControlFlowConditionKind.WhenFalse => whenTrue,
                    _ => state,
                };
                if (fall.Destination is { } destination) Flow(destination, s, fall, leaks, cfg);
                else if (fall.Semantics is ControlFlowBranchSemantics.Return or ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow)
                    foreach (var origins in s.Values)
                        foreach (IOperation origin in origins)
                            leaks.TryAdd(origin, ExitLocation(cfg));
            }
        }

        foreach (var (origin, exit) in leaks.OrderBy(l => l.Key.Syntax.SpanStart))
        {
            string where = exit.GetLineSpan() is { IsValid: true } span ? $"e.g. the path leaving at line {span.StartLinePosition.Line + 1}" : "a path reaches the end";
            string name = origin.Parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation l } ? l.Local.Name : "?";
            _module.Diagnostics.Add(Diagnostic.Create(BpfDiagnostics.RingBufferReservationNotReleased, origin.Syntax.GetLocation(), name, where));
        }

        void Flow(BasicBlock destination, Dictionary<ILocalSymbol, HashSet<IOperation>> s, ControlFlowBranch? via, Dictionary<IOperation, Location> found, ControlFlowGraph graph)
        {
            // A return leaves through the exit block: remember where, for the message.
            if (destination.Kind == BasicBlockKind.Exit && s.Count > 0)
            {
                Location at = via?.Source.BranchValue?.Syntax.GetLocation() ?? via?.Source.Operations.LastOrDefault()?.Syntax.GetLocation() ?? ExitLocation(graph);
                foreach (var origins in s.Values)
                    foreach (IOperation origin in origins)
                        found.TryAdd(origin, at);
            }
            if (!entryStates.TryGetValue(destination, out var existing))
            {
                entryStates[destination] = Copy(s);
                work.Enqueue(destination);
                return;
            }
            bool changed = false;
            foreach (var (local, origins) in s)
            {
                if (!existing.TryGetValue(local, out var known)) existing[local] = known = new HashSet<IOperation>();
                foreach (IOperation o in origins) changed |= known.Add(o);
            }
            if (changed) work.Enqueue(destination);
        }
    }

    private Location ExitLocation(ControlFlowGraph cfg) => cfg.OriginalOperation.Syntax.GetLocation();

    private static Dictionary<ILocalSymbol, HashSet<IOperation>> Copy(Dictionary<ILocalSymbol, HashSet<IOperation>> s)
    {
        var copy = new Dictionary<ILocalSymbol, HashSet<IOperation>>(SymbolEqualityComparer.Default);
        foreach (var (local, origins) in s) copy[local] = [.. origins];
        return copy;
    }

    /// <summary>Updates the live set for one statement (or branch condition).</summary>
    private static void Transfer(IOperation op, Dictionary<ILocalSymbol, HashSet<IOperation>> state, Dictionary<IOperation, Location> leaks, bool isBranch = false)
    {
        foreach (IOperation node in op.DescendantsAndSelf())
        {
            switch (node)
            {
                case ISimpleAssignmentOperation { IsRef: true, Target: ILocalReferenceOperation target, Value: var value }:
                    if (state.Remove(target.Local, out var previous))
                        foreach (IOperation o in previous) leaks.TryAdd(o, node.Syntax.GetLocation()); // overwritten while held
                    if (IsReservation(value)) state[target.Local] = [value];
                    if (value is ILocalReferenceOperation alias) state.Remove(alias.Local); // aliased: not followed
                    break;
                case IInvocationOperation call:
                    foreach (IArgumentOperation arg in call.Arguments)
                    {
                        if (arg.Value is not ILocalReferenceOperation { Local: var local } || !state.ContainsKey(local)) continue;
                        if (arg.Parameter?.RefKind == RefKind.None) continue;
                        // Submit/Discard release it; IsNullRef in a branch is handled by the caller; anything else:
                        // not followed, so counted as released.
                        if (IsNullRefCall(call) && isBranch) continue;
                        state.Remove(local);
                    }
                    break;
            }
        }
    }

    /// <summary>The local a branch condition tests with <c>Unsafe.IsNullRef(ref local)</c>, and whether it is negated.</summary>
    private static (ILocalSymbol? Local, bool Negated) NullTest(IOperation branch)
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

    private static bool IsNullRefCall(IInvocationOperation call) =>
        call.TargetMethod.Name == "IsNullRef" && call.TargetMethod.ContainingType?.ToDisplayString() == WellKnownNames.Unsafe;

    private static bool IsReservation(IOperation? op) =>
        op is IInvocationOperation call
        && ProgramDiscovery.GetAttribute(call.TargetMethod.OriginalDefinition, WellKnownNames.MapIntrinsicAttribute) is { } a
        && Convert.ToInt32(a.ConstructorArguments[0].Value, System.Globalization.CultureInfo.InvariantCulture) == (int)MapOperationKind.RingBufferReserve;
}
