using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// USDT probes (bpf_program__attach_usdt).
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// Attaches this <c>[Usdt]</c> program to every site of USDT probe <paramref name="provider"/>:<paramref name="name"/>
    /// in <paramref name="binaryPath"/> (libbpf reads the binary's <c>.note.stapsdt</c> notes, puts a uprobe on each
    /// site and records each site's argument locations for the program's decoder).
    /// </summary>
    /// <param name="binaryPath">The executable or shared library with the probe.</param>
    /// <param name="provider">The provider, e.g. <c>libc</c>.</param>
    /// <param name="name">The probe name.</param>
    /// <param name="pid">The process to probe: -1 for every process, 0 for this one.</param>
    /// <exception cref="BpfAttachTargetNotFoundException">The binary does not exist or has no such probe.</exception>
    /// <exception cref="BpfAttachException">The program is not a USDT program or the kernel refused.</exception>
    public unsafe BpfLink AttachUsdt(string binaryPath, string provider, string name, int pid = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(pid, -1);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        RequireProgramType(KprobeProgramType, "a USDT probe", "[Usdt]");
        var target = $"usdt {binaryPath}:{provider}:{name}{(pid >= 0 ? $" pid {pid}" : "")}";
        if (binaryPath.Contains('/') && !File.Exists(binaryPath))
            throw new BpfAttachTargetNotFoundException(
                $"Binary '{binaryPath}' does not exist: program '{Name}' cannot attach to its USDT probe {provider}:{name}.", Name, target, Errno.ENOENT);
        return _owner.Attach(this, target, (prog, _) =>
        {
            var opts = new BpfUsdtOpts { Size = (nuint)sizeof(BpfUsdtOpts) };
            return LibBpf.bpf_program__attach_usdt(prog, pid, binaryPath, provider, name, &opts);
        }, 0);
    }
}
