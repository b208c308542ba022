namespace CsBpf.Compiler;

/// <summary>One compiled <c>[BpfProgram]</c> class.</summary>
/// <param name="ClassFullName">The class's full name, e.g. <c>Samples.OpenCount</c> (nested types joined by '.').</param>
/// <param name="Elf">The BPF ELF object, with BTF and BTF.ext.</param>
public sealed record BpfObjectOutput(string ClassFullName, byte[] Elf)
{
    /// <summary>The file and manifest resource name of the object: <c>&lt;ClassFullName&gt;.bpf.o</c>. The
    /// build embeds the object under this name and the generated loader reads it back by it.</summary>
    public string ResourceName => ClassFullName + ".bpf.o";
}
