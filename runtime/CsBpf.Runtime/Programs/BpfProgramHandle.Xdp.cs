using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// XDP attach with an explicit mode. libbpf 1.1's bpf_program__attach_xdp takes no flags, so the link is created
// with bpf_link_create(prog, ifindex, BPF_XDP, { .flags = mode }) (the kernel accepts XDP_FLAGS_MODES there, 5.9+).
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// Attaches an XDP program to <paramref name="interfaceName"/> in <paramref name="mode"/> through a BPF link.
    /// The interface is looked up in the calling thread's network namespace. Dispose the result (or the object) to detach.
    /// </summary>
    /// <param name="interfaceName">The interface, e.g. <c>eth0</c>.</param>
    /// <param name="mode">Generic, native or offloaded; <see cref="XdpAttachMode.Default"/> lets the kernel choose.</param>
    /// <exception cref="BpfAttachTargetNotFoundException">There is no such interface.</exception>
    /// <exception cref="BpfAttachException">The program is not an XDP program, the driver lacks the mode, another XDP program holds the interface, or the kernel refused.</exception>
    /// <exception cref="BpfPermissionException">The process lacks CAP_NET_ADMIN.</exception>
    public unsafe BpfXdpAttachment AttachXdp(string interfaceName, XdpAttachMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        if (mode is not (XdpAttachMode.Default or XdpAttachMode.Generic or XdpAttachMode.Native or XdpAttachMode.Offload))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "One of the XdpAttachMode values.");
        var target = $"xdp {interfaceName} ({mode})";
        var ifindex = InterfaceIndex(interfaceName, target);
        int linkFd;
        using (var lease = Object.LeaseLoaded($"attach program '{Name}'"))
        {
            var progFd = LibBpf.bpf_program__fd(Native);
            if (progFd < 0) throw new InvalidOperationException($"Program '{Name}' was not loaded (libbpf autoload is off for it), so it cannot be attached.");
            var opts = new BpfLinkCreateOpts { Size = (nuint)sizeof(BpfLinkCreateOpts), Flags = (uint)mode };
            linkFd = LibBpf.bpf_link_create(progFd, (int)ifindex, LibBpf.AttachTypeXdp, &opts);
        }
        if (linkFd < 0)
        {
            var errno = -linkFd;
            throw errno switch
            {
                Errno.EBUSY or Errno.EEXIST => new BpfAttachException(
                    $"Attaching program '{Name}' to {target} failed ({Errno.Describe(errno)}): another XDP program is attached to '{interfaceName}' (see `ip link show {interfaceName}`).",
                    Name, target, errno),
                Errno.EOPNOTSUPP or Errno.EINVAL when mode is XdpAttachMode.Native or XdpAttachMode.Offload => new BpfAttachException(
                    $"Attaching program '{Name}' to {target} failed ({Errno.Describe(errno)}): the driver of '{interfaceName}' has no {mode.ToString().ToLowerInvariant()} XDP support; use XdpAttachMode.Generic.",
                    Name, target, errno),
                _ => BpfErrors.AttachFailure(Name, SectionName, target, errno, "", Privileges.Current()),
            };
        }
        return Object.Track(new BpfXdpAttachment(this, interfaceName, mode, new FileDescriptorHandle(linkFd)));
    }
}
