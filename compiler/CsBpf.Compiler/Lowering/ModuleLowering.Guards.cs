using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// Guards for the places where C# throws and BPF cannot (a zero divisor, MinValue / -1). The lowering emits
// `if (failure) __csbpf_unproven(site)` before the operation; LLVM's optimiser removes the call wherever it
// can prove the failure impossible (a dominating `if (d != 0)`, a constant, a known range). A call that
// survives O2 (and the generic O2, and is not a division the rule set's flow analysis proved: GuardProofs)
// means the program can reach an input where C# would throw: it becomes a diagnostic asking for the check,
// so the object never silently differs from C#.
internal sealed partial class ModuleLowering
{
    private const string UnprovenGuard = "__csbpf_unproven";

    private readonly List<(Location At, DiagnosticDescriptor Rule, object[] Args)> _guardSites = [];
    private LValue _guardFunction;
    private LType _guardType;

    /// <summary>The marker function and a new site number for a guard reported with <paramref name="rule"/>.</summary>
    public (LValue Function, LType Type, int Site) GuardSite(Location at, DiagnosticDescriptor rule, object[] args)
    {
        if (_guardFunction.IsNull)
        {
            _guardType = Llvm.Function(Llvm.Void, [Llvm.I32]);
            // A declaration with side effects (no memory/willreturn attributes): only unreachability removes it.
            _guardFunction = Llvm.AddFunction(UnprovenGuard, _guardType, Linkage.External, section: null);
            // nomerge: SimplifyCFG would otherwise sink two guards of one path into a single call whose site is a
            // phi of the sites (e.g. `__csbpf_unproven(n)` for a range and an index both failing on small n), and
            // the surviving call would no longer say which check it is.
            Llvm.AddFunctionAttribute(_guardFunction, "nomerge");
        }
        _guardSites.Add((at, rule, args));
        return (_guardFunction, _guardType, _guardSites.Count - 1);
    }

    private bool HasGuards => _guardSites.Count > 0;

    /// <summary>
    /// Reports every guard LLVM could not remove; true when there was one. Guards that survive the real
    /// pipeline get a second opinion from the generic O2 on <paramref name="proofClone"/> (see
    /// LlvmModule.Proofs): those it removes are unreachable and their calls are deleted here.
    /// </summary>
    private bool ReportUnprovenGuards(nint proofClone)
    {
        if (_guardSites.Count == 0) return false;
        var remaining = Llvm.ConstantArgumentsOfCallsTo(UnprovenGuard).Distinct().Order().ToList();
        if (proofClone != 0)
        {
            if (remaining.Count > 0)
            {
                IReadOnlySet<ulong> genericSurvivors = Llvm.GuardSitesAfterGenericO2(proofClone, UnprovenGuard);
                var proven = remaining.Where(site => !genericSurvivors.Contains(site)).ToHashSet();
                Llvm.DeleteCallsTo(UnprovenGuard, proven);
                remaining = remaining.Where(site => !proven.Contains(site)).ToList();
            }
            else LlvmModule.DisposeClone(proofClone);
        }
        // Last, the rule set: a division its flow analysis proved (the check C# makes cannot fail there) is safe
        // although LLVM could not show it; the guard call goes, as for the generic O2's proofs.
        var provenByRules = remaining.Where(site => _guardSites[(int)site] is var (at, rule, _) && ProvenGuards.Proves(at, rule)).ToHashSet();
        if (provenByRules.Count > 0)
        {
            Llvm.DeleteCallsTo(UnprovenGuard, provenByRules);
            remaining = remaining.Where(site => !provenByRules.Contains(site)).ToList();
        }
        foreach (ulong site in remaining)
        {
            var (at, rule, args) = _guardSites[(int)site];
            Diagnostics.Add(Diagnostic.Create(rule, at, args));
        }
        return remaining.Count > 0;
    }
}
