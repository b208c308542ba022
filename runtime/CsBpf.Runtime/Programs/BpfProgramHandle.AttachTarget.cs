namespace CsBpf.Runtime;

// Which programs AttachAll leaves alone: like libbpf's skeletons (bpf_object__attach_skeleton skips programs whose
// section has no auto-attach function), programs whose target is an object the section cannot name — an
// interface, a socket, a cgroup — are attached with their typed methods instead.
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// True for program types attached to an object the section name cannot designate (XDP and tc to an interface,
    /// socket filters to a socket, cgroup programs to a cgroup, …): <see cref="BpfObject.AttachAll"/> skips them;
    /// use <see cref="AttachXdp(string)"/>, <see cref="AttachTc"/>, <see cref="AttachSocketFilter"/> or <see cref="AttachCgroup"/>.
    /// </summary>
    public bool NeedsAttachTarget => ProgramType is
        1 /* socket_filter */ or 3 /* sched_cls */ or 4 /* sched_act */ or 6 /* xdp */ or 8 /* cgroup_skb */ or 9 /* cgroup_sock */ or
        13 /* sock_ops */ or 14 /* sk_skb */ or 15 /* cgroup_device */ or 16 /* sk_msg */ or 18 /* cgroup_sock_addr */ or
        22 /* flow_dissector */ or 23 /* cgroup_sysctl */ or 25 /* cgroup_sockopt */ or 30 /* sk_lookup */
        // perf_event programs attach to events opened at attach time; syscall programs are run, not attached; a bare
        // uprobe/uretprobe/usdt section names no binary.
        || ProgramType is 7 /* perf_event */ or 31 /* syscall */
        || SectionName is "uprobe" or "uretprobe" or "uprobe.s" or "uretprobe.s" or "usdt" or "usdt.s";

    /// <summary>The error of <see cref="Attach"/> for a program that needs an explicit target: which method to call instead.</summary>
    private BpfAttachException NoSectionTarget()
    {
        var how = ProgramType switch
        {
            6 => "AttachXdp(interfaceName)",
            3 or 4 => "AttachTc(interfaceName, direction)",
            1 => "AttachSocketFilter(socket)",
            8 or 9 or 15 or 18 or 23 or 25 => "AttachCgroup(cgroupPath)",
            7 => "AttachPerfEvent(config)",
            31 => "TestRun (syscall programs are run, not attached)",
            _ when SectionName.StartsWith("usdt", StringComparison.Ordinal) => "AttachUsdt(binaryPath, provider, name, pid)",
            _ when SectionName.StartsWith("uprobe", StringComparison.Ordinal) || SectionName.StartsWith("uretprobe", StringComparison.Ordinal)
                => "AttachUprobe(binaryPath, function, pid)",
            _ => "the attach method of its program type",
        };
        return new BpfAttachException(
            $"Program '{Name}' (section '{SectionName}') cannot be attached from its section alone: its target (an interface, socket, cgroup, perf event or binary) is chosen at attach time. Call {how} instead.",
            Name, SectionName, CsBpf.Runtime.Native.Errno.EOPNOTSUPP);
    }
}
