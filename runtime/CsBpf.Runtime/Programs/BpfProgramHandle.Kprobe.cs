using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Kprobes and kretprobes on an explicit target (bpf_program__attach_kprobe_opts).
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// Attaches this program as a kprobe on the kernel function <paramref name="function"/> (a kretprobe when its
    /// section is <c>kretprobe…</c>), whatever function its attribute names. Needs a kernel built with
    /// <c>CONFIG_KPROBES</c>.
    /// </summary>
    /// <param name="function">The kernel function (a symbol of <c>/proc/kallsyms</c>).</param>
    /// <param name="offset">A byte offset into the function (entry probes only).</param>
    /// <param name="cookie">A value the program reads with <c>Bpf.GetAttachCookie</c> (Linux 5.15).</param>
    /// <exception cref="BpfAttachTargetNotFoundException">The function does not exist or cannot be probed.</exception>
    /// <exception cref="BpfAttachException">The program is not a kprobe-type program, or the kernel refused (e.g. no kprobe support).</exception>
    public unsafe BpfLink AttachKprobe(string function, ulong offset = 0, ulong cookie = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        RequireProgramType(KprobeProgramType, "a kprobe", "[Kprobe] or [Kretprobe]");
        bool retprobe = SectionName.StartsWith("kretprobe", StringComparison.Ordinal) || SectionName.StartsWith("uretprobe", StringComparison.Ordinal);
        if (retprobe && offset != 0)
            throw new ArgumentException($"Program '{Name}' is a return probe: it takes no offset.", nameof(offset));
        var target = $"{(retprobe ? "kretprobe" : "kprobe")} {function}{(offset != 0 ? $"+0x{offset:x}" : "")}";
        return _owner.Attach(this, target, (prog, _) =>
        {
            var opts = new BpfKprobeOpts { Size = (nuint)sizeof(BpfKprobeOpts), Cookie = cookie, Offset = (nuint)offset, RetProbe = retprobe ? (byte)1 : (byte)0 };
            return LibBpf.bpf_program__attach_kprobe_opts(prog, function, &opts);
        }, 0);
    }
}
