namespace CsBpf;

/// <summary>
/// An XDP program (<c>BPF_PROG_TYPE_XDP</c>, section <c>xdp</c>, or <c>xdp.frags</c> with
/// <see cref="Frags"/>): runs in the driver's receive path for every packet of the interface it is attached to,
/// before the kernel allocates an <c>sk_buff</c>. The method must be <c>static XdpAction M(XdpContext ctx)</c>
/// (or return <c>int</c>); attach it with <c>BpfProgramHandle.AttachXdp(interfaceName)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Xdp)]
public sealed class XdpAttribute : Attribute
{
    /// <summary>
    /// The program handles multi-buffer packets (jumbo frames split over several pages; section
    /// <c>xdp.frags</c>, <c>BPF_F_XDP_HAS_FRAGS</c>, Linux 5.18). Such a program sees only the first buffer
    /// through <see cref="XdpContext.Data"/>; read the rest with <see cref="XdpContext.LoadBytes{T}"/>.
    /// </summary>
    public bool Frags { get; set; }
}
