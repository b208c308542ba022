using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Llvm;

// Optimisation and object emission.
internal sealed unsafe partial class LlvmModule
{
    private const int ObjectFile = 1; // LLVMObjectFile

    private nint _machine;

    /// <summary>
    /// Optimises the module (O2 through the new pass manager, with the BPF target's own IR passes registered
    /// by the target machine). Call <see cref="EmitObject"/> afterwards.
    /// </summary>
    public void Optimize(string cpu, bool optimize)
    {
        if (LibLlvm.GetTargetFromTriple(Triple, out nint target, out nint error) != 0)
            throw new LlvmException("BPF target unavailable in libLLVM: " + TakeMessage(error));
        // Reloc PIC/static does not matter for BPF; CodeGenLevelDefault (= O2) like clang -O2.
        _machine = LibLlvm.CreateTargetMachine(target, Triple, cpu, "", optimize ? 2 : 0, 0, 0);
        nint layout = LibLlvm.CreateTargetDataLayout(_machine);
        nint layoutText = LibLlvm.CopyStringRepOfTargetData(layout);
        LibLlvm.SetDataLayout(_module, Marshal.PtrToStringUTF8(layoutText)!);
        LibLlvm.DisposeMessage(layoutText);
        LibLlvm.DisposeTargetData(layout);

        nint options = LibLlvm.CreatePassBuilderOptions();
        try
        {
            nint passError = LibLlvm.RunPasses(_module, optimize ? "default<O2>" : "default<O0>", _machine, options);
            if (passError != 0)
            {
                nint m = LibLlvm.GetErrorMessage(passError);
                string text = Marshal.PtrToStringUTF8(m) ?? "";
                LibLlvm.DisposeErrorMessage(m);
                throw new LlvmException("LLVM pass pipeline failed: " + text);
            }
        }
        finally { LibLlvm.DisposePassBuilderOptions(options); }
    }

    /// <summary>Emits the BPF ELF object of the optimised module. Returns the bytes or throws <see cref="LlvmException"/>.</summary>
    public byte[] EmitObject()
    {
        if (_machine == 0) throw new InvalidOperationException("Optimize first");
        if (LibLlvm.TargetMachineEmitToMemoryBuffer(_machine, _module, ObjectFile, out nint emitError, out nint buffer) != 0)
            throw new LlvmException("LLVM could not emit the object: " + TakeMessage(emitError));
        try
        {
            return new ReadOnlySpan<byte>(LibLlvm.GetBufferStart(buffer), checked((int)LibLlvm.GetBufferSize(buffer))).ToArray();
        }
        finally { LibLlvm.DisposeMemoryBuffer(buffer); }
    }

    /// <summary>The first (constant) argument of every remaining call to <paramref name="function"/>.</summary>
    public IReadOnlyList<ulong> ConstantArgumentsOfCallsTo(string function)
    {
        var result = new List<ulong>();
        LValue f = LibLlvm.GetNamedFunction(_module, function);
        if (f.IsNull) return result;
        for (nint use = LibLlvm.GetFirstUse(f); use != 0; use = LibLlvm.GetNextUse(use))
            result.Add(ConstantSite(LibLlvm.GetOperand(LibLlvm.GetUser(use), 0), function));
        return result;
    }

    /// <summary>The constant site number of a marker call; a call whose argument is no longer a constant (the
    /// optimiser merged two of them) cannot be attributed, so it is an internal error rather than a guard lost.</summary>
    internal static ulong ConstantSite(LValue argument, string function) =>
        LibLlvm.IsAConstantInt(argument).IsNull
            ? throw new LlvmException($"a call to {function} lost its constant site number (merged by the optimiser)")
            : LibLlvm.ConstIntGetZExtValue(argument);

    private static string TakeMessage(nint message)
    {
        if (message == 0) return "";
        try { return Marshal.PtrToStringUTF8(message) ?? ""; }
        finally { LibLlvm.DisposeMessage(message); }
    }
}
