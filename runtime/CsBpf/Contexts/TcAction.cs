namespace CsBpf;

/// <summary>The verdict of a tc program in direct-action mode (<c>TC_ACT_*</c>, include/uapi/linux/pkt_cls.h).</summary>
public enum TcAction
{
    /// <summary><c>TC_ACT_UNSPEC</c>: use the qdisc's default action (continue, like <see cref="Ok"/>).</summary>
    Unspec = -1,
    /// <summary><c>TC_ACT_OK</c>: let the packet continue.</summary>
    Ok = 0,
    /// <summary><c>TC_ACT_RECLASSIFY</c>: restart classification.</summary>
    Reclassify = 1,
    /// <summary><c>TC_ACT_SHOT</c>: drop the packet.</summary>
    Shot = 2,
    /// <summary><c>TC_ACT_PIPE</c>: continue with the next action.</summary>
    Pipe = 3,
    /// <summary><c>TC_ACT_STOLEN</c>: the packet was consumed (queued or freed by the program).</summary>
    Stolen = 4,
    /// <summary><c>TC_ACT_QUEUED</c>.</summary>
    Queued = 5,
    /// <summary><c>TC_ACT_REPEAT</c>.</summary>
    Repeat = 6,
    /// <summary><c>TC_ACT_REDIRECT</c>: send the packet where <see cref="Bpf.TcRedirect"/> said.</summary>
    Redirect = 7,
}

/// <summary>Flags of <see cref="Bpf.TcRedirect"/> (<c>bpf_redirect</c>'s flags for tc programs).</summary>
[Flags]
public enum TcRedirectFlags : ulong
{
    /// <summary>Transmit the packet out of the target interface (its egress path).</summary>
    Egress = 0,
    /// <summary><c>BPF_F_INGRESS</c>: deliver the packet to the target interface's receive path.</summary>
    Ingress = 1,
}
