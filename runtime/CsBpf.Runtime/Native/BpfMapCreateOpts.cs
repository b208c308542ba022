using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary><c>struct bpf_map_create_opts</c> of libbpf 1.x (bpf.h); <see cref="Size"/> tells libbpf how much of it exists.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfMapCreateOpts
{
    public nuint Size;
    public uint BtfFd;
    public uint BtfKeyTypeId;
    public uint BtfValueTypeId;
    public uint BtfVmlinuxValueTypeId;
    public uint InnerMapFd;
    public uint MapFlags;
    public ulong MapExtra;
    public uint NumaNode;
    public uint MapIfIndex;
}
