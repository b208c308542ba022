namespace CsBpf;

/// <summary>
/// A tc classifier (<c>BPF_PROG_TYPE_SCHED_CLS</c>, section <c>tc</c>) in direct-action mode: runs for every
/// packet entering (<see cref="TcDirection.Ingress"/>) or leaving (<see cref="TcDirection.Egress"/>) an
/// interface, on the <c>sk_buff</c>, after XDP on ingress and before the driver on egress. The method must be
/// <c>static TcAction M(SkBuffContext ctx)</c> (or return <c>int</c>); the host attaches it with
/// <c>BpfProgramHandle.AttachTc(interfaceName, direction)</c>, which adds the <c>clsact</c> qdisc if needed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.SchedCls)]
public sealed class TcAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="direction">The hook the generated loader attaches the program to.</param>
    public TcAttribute(TcDirection direction) => Direction = direction;

    /// <summary>The hook the generated loader attaches the program to (the object's section is the same for
    /// both: the direction is chosen at attach time).</summary>
    public TcDirection Direction { get; }
}

/// <summary>The two tc hooks of an interface's <c>clsact</c> qdisc (libbpf's <c>enum bpf_tc_attach_point</c>).</summary>
public enum TcDirection
{
    /// <summary>Packets received by the interface (<c>BPF_TC_INGRESS</c>).</summary>
    Ingress = 1,
    /// <summary>Packets sent through the interface (<c>BPF_TC_EGRESS</c>).</summary>
    Egress = 2,
}
