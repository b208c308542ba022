using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Lifetime markers for locals, as clang emits them per scope: `llvm.lifetime.start` where a C# scope (a
// LocalLifetime region of Roslyn's CFG) is entered, `llvm.lifetime.end` on every edge that leaves it. With
// them LLVM's stack colouring gives locals of disjoint scopes the same stack slot, which keeps the frame
// small (512 bytes in all) and the verifier's stack state like clang's (bench/compiler: token_bucket).
// Only regions entered through their first block get markers (any other entry would see a dead slot); edges
// that return need no end (the frame dies with the function).
internal sealed partial class FunctionLowering
{
    private readonly HashSet<ControlFlowRegion> _markedRegions = [];

    /// <summary>At the first block of scopes: creates their locals' slots and starts their lifetimes.</summary>
    private void EmitLifetimeStarts(BasicBlock block)
    {
        for (ControlFlowRegion? region = block.EnclosingRegion; region is not null && region.FirstBlockOrdinal == block.Ordinal; region = region.EnclosingRegion)
        {
            if (region.Kind != ControlFlowRegionKind.LocalLifetime || region.Locals.IsEmpty || !IsEnteredAtItsStart(region)) continue;
            _markedRegions.Add(region);
            foreach (ILocalSymbol local in region.Locals)
                if (StaysInMemory(local) && LocalSlot(local) is var (slot, size)) _module.LifetimeMarker(start: true, slot, size);
        }
    }

    /// <summary>The block a branch should jump to: <paramref name="target"/>, or an edge block ending the
    /// lifetimes of the scopes the branch leaves.</summary>
    private LBlock LeaveScopes(ControlFlowBranch? branch, LBlock target)
    {
        if (!LeavesMarkedScopes(branch)) return target;
        LBlock here = _llvm.CurrentBlock;
        LBlock edge = _llvm.AppendBlock(_function, "scope.end");
        _llvm.PositionAtEnd(edge);
        EmitLifetimeEnds(branch!);
        _llvm.Br(target);
        _llvm.PositionAtEnd(here);
        return edge;
    }

    /// <summary>Ends the lifetimes of the scopes <paramref name="branch"/> leaves, at the current position.</summary>
    private void EmitLifetimeEnds(ControlFlowBranch? branch)
    {
        if (!LeavesMarkedScopes(branch)) return;
        foreach (ControlFlowRegion region in branch!.LeavingRegions)
            if (_markedRegions.Contains(region))
                foreach (ILocalSymbol local in region.Locals)
                    if (StaysInMemory(local) && _slots.TryGetValue(local, out LValue slot) && LocalSlot(local) is var (_, size))
                        _module.LifetimeMarker(start: false, slot, size);
    }

    private bool LeavesMarkedScopes(ControlFlowBranch? branch) =>
        branch is { Semantics: ControlFlowBranchSemantics.Regular } && branch.LeavingRegions.Any(_markedRegions.Contains);

    private HashSet<ILocalSymbol>? _inMemory;

    /// <summary>
    /// Locals that keep a stack slot after SROA: structs, and scalars whose address is taken (`&amp;x`, a ref
    /// argument, a map key or value passed by its own slot). Only they need markers; on locals that become
    /// registers the markers are only noise that changes how the early passes shape the CFG.
    /// </summary>
    private bool StaysInMemory(ILocalSymbol local)
    {
        if (_inMemory is null)
        {
            _inMemory = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (BasicBlock block in _cfg!.Blocks)
                foreach (IOperation root in block.BranchValue is null ? block.Operations : block.Operations.Append(block.BranchValue))
                    foreach (IOperation op in root.DescendantsAndSelf())
                    {
                        IOperation? target = op switch
                        {
                            IAddressOfOperation a => a.Reference,
                            IArgumentOperation arg when arg.Parameter?.RefKind is not (null or RefKind.None) || arg.Parent is IInvocationOperation { Instance: not null } => arg.Value,
                            ISimpleAssignmentOperation { IsRef: true } r => r.Value,
                            _ => null,
                        };
                        while (target is IFieldReferenceOperation { Instance: { } instance }) target = instance;
                        // A ref local holds a pointer; passing or taking it uses the pointee, never its own slot.
                        if (target is ILocalReferenceOperation { Local.RefKind: RefKind.None } l) _inMemory.Add(l.Local);
                    }
        }
        if (local.RefKind == RefKind.None && _module.Types.TryGetLayout(local.Type, out _) is { Category: TypeCategory.Struct }) return true;
        return _inMemory.Contains(local);
    }

    /// <summary>The slot of a local and its size, or null for a type with no layout (reported at its use).</summary>
    private (LValue Slot, ulong Size)? LocalSlot(ILocalSymbol local)
    {
        bool isRef = local.RefKind != RefKind.None;
        if (!isRef && _module.Types.TryGetLayout(local.Type, out _) is null) return null;
        ulong size = isRef ? 8 : _module.Types.TryGetLayout(local.Type, out _)!.Size;
        return (SlotOf(local, local.Type, isRef, local.Locations.FirstOrDefault() ?? MethodLocation), size);
    }

    /// <summary>True when every edge into the region other than its first block's comes from inside it.</summary>
    private bool IsEnteredAtItsStart(ControlFlowRegion region)
    {
        for (int ordinal = region.FirstBlockOrdinal + 1; ordinal <= region.LastBlockOrdinal; ordinal++)
            foreach (ControlFlowBranch predecessor in _cfg!.Blocks[ordinal].Predecessors)
                if (predecessor.Source.Ordinal < region.FirstBlockOrdinal || predecessor.Source.Ordinal > region.LastBlockOrdinal)
                    return false;
        return true;
    }
}
