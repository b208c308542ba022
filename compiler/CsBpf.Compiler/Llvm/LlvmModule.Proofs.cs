using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// A second opinion for the proof-or-ask guards (ModuleLowering.Guards). The BPF target adds IR passes to O2
// that deliberately hide facts from LLVM to keep the code verifier-friendly (BPFAdjustOpt wraps one of the
// conditions of `k > 0 && k <= n` in llvm.bpf.passthrough so the pair is not merged into `(k - 1) <u n`). A
// guard after such a test is then unprovable in the real pipeline although the test does exclude the failure.
// So a copy of the module taken before optimisation is optimised by LLVM's generic O2 (no target passes):
// a guard that is unreachable there is unreachable in the program, and its call is deleted from the real
// module; only a guard that survives both is reported.
internal sealed unsafe partial class LlvmModule
{
    /// <summary>A copy of the module as it is now (before optimisation), for <see cref="GuardSitesAfterGenericO2"/>.</summary>
    public nint CloneForProofs() => LibLlvm.CloneModule(_module);

    /// <summary>Optimises <paramref name="clone"/> with the generic O2 pipeline, returns the constant first
    /// arguments of the calls to <paramref name="function"/> that remain, and disposes the clone.</summary>
    public IReadOnlySet<ulong> GuardSitesAfterGenericO2(nint clone, string function)
    {
        try
        {
            nint layout = LibLlvm.GetDataLayoutStr(_module);
            LibLlvm.SetDataLayout(clone, Marshal.PtrToStringUTF8(layout) ?? "");
            nint options = LibLlvm.CreatePassBuilderOptions();
            try
            {
                nint error = LibLlvm.RunPasses(clone, "default<O2>", 0, options);
                if (error != 0)
                {
                    nint m = LibLlvm.GetErrorMessage(error);
                    string text = Marshal.PtrToStringUTF8(m) ?? "";
                    LibLlvm.DisposeErrorMessage(m);
                    throw new LlvmException("LLVM pass pipeline failed: " + text);
                }
            }
            finally { LibLlvm.DisposePassBuilderOptions(options); }
            return ConstantArgumentsOfCallsTo(clone, function).ToHashSet();
        }
        finally { LibLlvm.DisposeModule(clone); }
    }

    /// <summary>Disposes a clone that was not needed.</summary>
    public static void DisposeClone(nint clone) => LibLlvm.DisposeModule(clone);

    /// <summary>Deletes the calls to <paramref name="function"/> whose constant first argument is in <paramref name="sites"/>.</summary>
    public void DeleteCallsTo(string function, IReadOnlySet<ulong> sites)
    {
        LValue f = LibLlvm.GetNamedFunction(_module, function);
        if (f.IsNull) return;
        var calls = new List<LValue>();
        for (nint use = LibLlvm.GetFirstUse(f); use != 0; use = LibLlvm.GetNextUse(use))
        {
            LValue call = LibLlvm.GetUser(use);
            if (sites.Contains(ConstantSite(LibLlvm.GetOperand(call, 0), function))) calls.Add(call);
        }
        foreach (LValue call in calls) LibLlvm.InstructionEraseFromParent(call);
    }

    private static List<ulong> ConstantArgumentsOfCallsTo(nint module, string function)
    {
        var result = new List<ulong>();
        LValue f = LibLlvm.GetNamedFunction(module, function);
        if (f.IsNull) return result;
        for (nint use = LibLlvm.GetFirstUse(f); use != 0; use = LibLlvm.GetNextUse(use))
            result.Add(ConstantSite(LibLlvm.GetOperand(LibLlvm.GetUser(use), 0), function));
        return result;
    }
}
