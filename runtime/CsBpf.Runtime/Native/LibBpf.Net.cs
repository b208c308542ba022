using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

// Network attach points of libbpf 1.1: tc filters over netlink (bpf_tc_*, libbpf.h) and raw BPF links
// (bpf_link_create, bpf.h) for XDP with an explicit mode.
internal static unsafe partial class LibBpf
{
    /// <summary><c>BPF_TC_INGRESS</c>/<c>BPF_TC_EGRESS</c> (<c>enum bpf_tc_attach_point</c>).</summary>
    internal const int TcIngress = 1, TcEgress = 2;

    /// <summary>Creates the interface's <c>clsact</c> qdisc; -EEXIST when it is there already.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_tc_hook_create")]
    internal static partial int bpf_tc_hook_create(BpfTcHook* hook);

    /// <summary>Adds a direct-action BPF filter; fills in the handle, priority and program id it got.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_tc_attach")]
    internal static partial int bpf_tc_attach(BpfTcHook* hook, BpfTcOpts* opts);

    /// <summary>Removes the filter with the handle and priority of <paramref name="opts"/> (its fd, id and flags must be 0).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_tc_detach")]
    internal static partial int bpf_tc_detach(BpfTcHook* hook, BpfTcOpts* opts);

    /// <summary>Fills in the program id of the filter with the handle and priority of <paramref name="opts"/>; -ENOENT when there is none.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_tc_query")]
    internal static partial int bpf_tc_query(BpfTcHook* hook, BpfTcOpts* opts);

    /// <summary><c>BPF_LINK_CREATE</c>: a link fd, or a negative errno.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_link_create")]
    internal static partial int bpf_link_create(int progFd, int targetFd, int attachType, BpfLinkCreateOpts* opts);

    /// <summary><c>BPF_XDP</c> (<c>enum bpf_attach_type</c>).</summary>
    internal const int AttachTypeXdp = 37;
}

/// <summary><c>struct bpf_tc_hook</c> (libbpf 1.1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfTcHook
{
    public nuint Size;
    public int Ifindex;
    public int AttachPoint;
    public uint Parent;
    private readonly uint _padding;
}

/// <summary><c>struct bpf_tc_opts</c> (libbpf 1.1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfTcOpts
{
    public nuint Size;
    public int ProgFd;
    public uint Flags;
    public uint ProgId;
    public uint Handle;
    public uint Priority;
    private readonly uint _padding;
}

/// <summary>The head of <c>struct bpf_link_create_opts</c> (libbpf accepts a shorter struct: later fields read as 0).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfLinkCreateOpts
{
    public nuint Size;
    public uint Flags;
    private readonly uint _padding;
}
