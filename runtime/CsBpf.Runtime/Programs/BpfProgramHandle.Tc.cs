using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// tc (sched_cls) attach: a direct-action filter on the clsact qdisc through libbpf 1.1's bpf_tc_* netlink API,
// which works on every kernel with clsact (4.5+), unlike tcx links (6.6+).
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// Attaches a tc program (<c>[Tc]</c>, section <c>tc</c>) to the <paramref name="direction"/> hook of
    /// <paramref name="interfaceName"/> as a direct-action filter, adding the interface's <c>clsact</c> qdisc if it
    /// has none. The interface is looked up in the calling thread's network namespace. Dispose the result (or the
    /// object) to remove the filter.
    /// </summary>
    /// <param name="interfaceName">The interface, e.g. <c>eth0</c>.</param>
    /// <param name="direction">Received (<see cref="TcDirection.Ingress"/>) or sent (<see cref="TcDirection.Egress"/>) packets.</param>
    /// <param name="priority">The filter's priority (1–65535, lower runs first), or 0 to let the kernel choose.</param>
    /// <param name="handle">The filter's handle, or 0 to let the kernel choose.</param>
    /// <exception cref="BpfAttachTargetNotFoundException">There is no such interface.</exception>
    /// <exception cref="BpfAttachException">The program is not a tc program, a filter with that priority and handle exists, or the kernel refused.</exception>
    /// <exception cref="BpfPermissionException">The process lacks CAP_NET_ADMIN.</exception>
    public unsafe BpfTcAttachment AttachTc(string interfaceName, TcDirection direction, uint priority = 0, uint handle = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        if (direction is not (TcDirection.Ingress or TcDirection.Egress)) throw new ArgumentOutOfRangeException(nameof(direction), direction, "Ingress or Egress.");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, (uint)ushort.MaxValue);
        var target = $"tc {direction.ToString().ToLowerInvariant()} {interfaceName}";
        var ifindex = InterfaceIndex(interfaceName, target);
        var fd = Fd;
        if (ProgramType != SchedClsProgramType)
            throw new BpfAttachException($"Program '{Name}' (section '{SectionName}', program type {ProgramType}) is not a tc program: AttachTc needs a [Tc] method (section 'tc').",
                Name, target, Errno.EINVAL);

        var hook = new BpfTcHook { Size = (nuint)sizeof(BpfTcHook), Ifindex = (int)ifindex, AttachPoint = (int)direction };
        int created, attached;
        var opts = new BpfTcOpts { Size = (nuint)sizeof(BpfTcOpts), ProgFd = fd, Handle = handle, Priority = priority };
        string log;
        using (var lease = Object.LeaseLoaded($"attach program '{Name}'"))
        using (var capture = LibBpfLog.Begin())
        {
            created = LibBpf.bpf_tc_hook_create(&hook);
            attached = created is 0 or -Errno.EEXIST ? LibBpf.bpf_tc_attach(&hook, &opts) : created;
            log = capture.Text;
        }
        if (attached < 0)
        {
            var errno = -attached;
            throw errno is Errno.EEXIST
                ? new BpfAttachException($"Attaching program '{Name}' to {target} failed: a filter with priority {priority} and handle {handle} exists already (EEXIST); pick another priority or handle, or 0 for the kernel's choice.", Name, target, errno)
                : BpfErrors.AttachFailure(Name, SectionName, target, errno, log, Privileges.Current());
        }
        return Object.Track(new BpfTcAttachment(this, interfaceName, (int)ifindex, direction, opts.Handle, opts.Priority, createdQdisc: created == 0));
    }

    /// <summary><c>BPF_PROG_TYPE_SCHED_CLS</c>.</summary>
    internal const int SchedClsProgramType = 3;

    /// <summary>The index of <paramref name="interfaceName"/> in the calling thread's network namespace.</summary>
    private uint InterfaceIndex(string interfaceName, string target)
    {
        var index = LibC.if_nametoindex(interfaceName);
        if (index == 0)
            throw new BpfAttachTargetNotFoundException(
                $"Network interface '{interfaceName}' does not exist: program '{Name}' cannot be attached to it (list them with `ip link`; " +
                "an interface of another network namespace is visible only from a thread in that namespace).",
                Name, target, Marshal.GetLastPInvokeError() is var e && e != 0 ? e : Errno.ENODEV);
        return index;
    }
}
