using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// The leading fields of <c>struct bpf_map_info</c> (include/uapi/linux/bpf.h) that <c>BPF_OBJ_GET_INFO_BY_FD</c>
/// fills for a map; the kernel copies at most the length it is given, so a prefix of the struct is valid.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfMapInfo
{
    public uint Type;
    public uint Id;
    public uint KeySize;
    public uint ValueSize;
    public uint MaxEntries;
    public uint MapFlags;
    /// <summary><c>char name[BPF_OBJ_NAME_LEN]</c> (16 bytes, NUL-terminated).</summary>
    public NameBuffer Name;
    public uint IfIndex;
    public uint BtfVmlinuxValueTypeId;
    public ulong NetnsDev;
    public ulong NetnsIno;
    public uint BtfId;
    public uint BtfKeyTypeId;
    public uint BtfValueTypeId;
    public uint Padding;
    public ulong MapExtra;

    /// <summary>The name as a string.</summary>
    public readonly string NameString
    {
        get
        {
            ReadOnlySpan<byte> bytes = Name;
            var end = bytes.IndexOf((byte)0);
            return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }
    }

    /// <summary>16 inline bytes.</summary>
    [InlineArray(16)]
    public struct NameBuffer
    {
        private byte _element;
    }
}
