namespace CsBpf;

/// <summary>
/// A cgroup socket-buffer program (<c>BPF_PROG_TYPE_CGROUP_SKB</c>, section <c>cgroup_skb/ingress</c> or
/// <c>cgroup_skb/egress</c>): runs for every IP packet received or sent by a socket of the cgroup's processes
/// (and of its descendants). The packet starts at the IP header. The method must be
/// <c>static int M(SkBuffContext ctx)</c> and return 1 to let the packet through or 0 to drop it. Attach with
/// <c>BpfProgramHandle.AttachCgroup(cgroupPath)</c>. Packet memory is read-only here.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.CgroupSkb)]
public sealed class CgroupSkbAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="direction">Received (<see cref="CgroupSkbDirection.Ingress"/>) or sent (<see cref="CgroupSkbDirection.Egress"/>) packets.</param>
    public CgroupSkbAttribute(CgroupSkbDirection direction) => Direction = direction;

    /// <summary>Received or sent packets.</summary>
    public CgroupSkbDirection Direction { get; }
}

/// <summary>The two cgroup socket-buffer hooks (<c>BPF_CGROUP_INET_INGRESS</c>, <c>BPF_CGROUP_INET_EGRESS</c>).</summary>
public enum CgroupSkbDirection
{
    /// <summary>Packets delivered to the cgroup's sockets.</summary>
    Ingress,
    /// <summary>Packets sent by the cgroup's sockets.</summary>
    Egress,
}
