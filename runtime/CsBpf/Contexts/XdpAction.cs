namespace CsBpf;

/// <summary>What an XDP program does with the packet (<c>enum xdp_action</c>, include/uapi/linux/bpf.h).</summary>
public enum XdpAction
{
    /// <summary><c>XDP_ABORTED</c>: drop the packet and fire the <c>xdp:xdp_exception</c> tracepoint (a program error).</summary>
    Aborted = 0,
    /// <summary><c>XDP_DROP</c>: drop the packet.</summary>
    Drop = 1,
    /// <summary><c>XDP_PASS</c>: hand the packet to the kernel's network stack.</summary>
    Pass = 2,
    /// <summary><c>XDP_TX</c>: send the (possibly rewritten) packet back out of the interface it came in on.</summary>
    Tx = 3,
    /// <summary><c>XDP_REDIRECT</c>: send the packet where <see cref="Bpf.XdpRedirect"/> said.</summary>
    Redirect = 4,
}
