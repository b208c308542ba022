using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// A tc program attached as a direct-action BPF filter of an interface's <c>clsact</c> qdisc
/// (<c>bpf_tc_attach</c>, the netlink equivalent of <c>tc filter add dev X ingress bpf da</c>). Disposing it
/// removes the filter. The <c>clsact</c> qdisc stays (it is shared with other filters and costs nothing empty);
/// <c>tc qdisc del dev X clsact</c> removes it.
/// </summary>
public sealed class BpfTcAttachment : BpfAttachment
{
    private readonly int _ifindex;

    internal BpfTcAttachment(BpfProgramHandle program, string interfaceName, int ifindex, TcDirection direction, uint handle, uint priority, bool createdQdisc)
        : base(program, $"tc {direction.ToString().ToLowerInvariant()} {interfaceName}")
    {
        _ifindex = ifindex;
        InterfaceName = interfaceName;
        Direction = direction;
        Handle = handle;
        Priority = priority;
        CreatedQdisc = createdQdisc;
    }

    /// <summary>The interface.</summary>
    public string InterfaceName { get; }

    /// <summary>The hook: received or sent packets.</summary>
    public TcDirection Direction { get; }

    /// <summary>The filter's handle (chosen by the kernel when 0 was asked for).</summary>
    public uint Handle { get; }

    /// <summary>The filter's priority (chosen by the kernel when 0 was asked for; lower runs first).</summary>
    public uint Priority { get; }

    /// <summary>True when attaching created the interface's <c>clsact</c> qdisc.</summary>
    public bool CreatedQdisc { get; }

    private protected override unsafe void Detach(bool disposing)
    {
        var hook = new BpfTcHook { Size = (nuint)sizeof(BpfTcHook), Ifindex = _ifindex, AttachPoint = (int)Direction };
        var opts = new BpfTcOpts { Size = (nuint)sizeof(BpfTcOpts), Handle = Handle, Priority = Priority };
        var result = LibBpf.bpf_tc_detach(&hook, &opts);
        // ENOENT/ENODEV/EINVAL: the filter or the whole interface is gone already (e.g. a deleted veth) — detached.
        if (result < 0 && disposing && -result is not (Errno.ENOENT or Errno.ENODEV or Errno.EINVAL))
            throw new BpfException($"Removing the tc filter of program '{Program.Name}' from {Target} failed ({Errno.Describe(-result)}).", -result);
    }
}
