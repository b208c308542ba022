using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// An XDP program attached in an explicit <see cref="XdpAttachMode"/> through a kernel BPF link
/// (<c>BPF_LINK_CREATE</c> with the mode's flag): like a <see cref="BpfLink"/>, it is detached when disposed, and by
/// the kernel when the process exits; no other program can replace it meanwhile.
/// </summary>
public sealed class BpfXdpAttachment : BpfAttachment
{
    private readonly FileDescriptorHandle _link;

    internal BpfXdpAttachment(BpfProgramHandle program, string interfaceName, XdpAttachMode mode, FileDescriptorHandle link)
        : base(program, $"xdp {interfaceName} ({mode})")
    {
        InterfaceName = interfaceName;
        Mode = mode;
        _link = link;
    }

    /// <summary>The interface.</summary>
    public string InterfaceName { get; }

    /// <summary>The mode the program runs in.</summary>
    public XdpAttachMode Mode { get; }

    /// <summary>The BPF link's fd.</summary>
    public int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return _link.Fd;
        }
    }

    private protected override void Detach(bool disposing) => _link.Dispose();
}

/// <summary>Where an XDP program runs (<c>XDP_FLAGS_*_MODE</c>, include/uapi/linux/if_link.h).</summary>
public enum XdpAttachMode
{
    /// <summary>The driver's native mode when it has one, otherwise generic (the kernel's choice).</summary>
    Default = 0,
    /// <summary><c>XDP_FLAGS_SKB_MODE</c>: generic XDP, after the <c>sk_buff</c> is built; works on every interface.</summary>
    Generic = 1 << 1,
    /// <summary><c>XDP_FLAGS_DRV_MODE</c>: in the driver (veth, virtio_net, mlx5, i40e…); fails on drivers without XDP support.</summary>
    Native = 1 << 2,
    /// <summary><c>XDP_FLAGS_HW_MODE</c>: offloaded to the NIC (Netronome).</summary>
    Offload = 1 << 3,
}
