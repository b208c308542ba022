using System.Buffers.Binary;
using System.Text;

namespace Samples.Shared;

/// <summary>
/// Field offsets of kernel structs, read from the running kernel's BTF (<c>/sys/kernel/btf/vmlinux</c>).
/// </summary>
/// <remarks>
/// CsBpf has no CO-RE relocations yet, so a program that follows kernel pointers (<c>task-&gt;real_parent-&gt;tgid</c>)
/// gets the offsets from the host instead: the host looks them up here and sets them as <c>static readonly</c>
/// globals before <c>Load()</c>, and the verifier sees them as constants. That is what CO-RE does at load time,
/// done by the tool for the handful of fields it needs. The format is include/uapi/linux/btf.h.
/// </remarks>
internal sealed class KernelBtf
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";
    private const ushort Magic = 0xEB9F;

    // BTF_KIND_* and the size of the data each kind carries after its 12-byte btf_type.
    private const int KindInt = 1, KindArray = 3, KindStruct = 4, KindUnion = 5, KindEnum = 6, KindTypedef = 8,
        KindVolatile = 9, KindConst = 10, KindRestrict = 11, KindFuncProto = 13, KindVar = 14, KindDatasec = 15,
        KindDeclTag = 17, KindTypeTag = 18, KindEnum64 = 19;

    private readonly byte[] _data;
    private readonly int _types, _strings;
    private readonly List<int> _typeOffsets = [0]; // type id -> offset of its btf_type in _data (id 0 is void)

    private KernelBtf(byte[] data)
    {
        _data = data;
        if (data.Length < 24 || BinaryPrimitives.ReadUInt16LittleEndian(data) != Magic)
            throw new InvalidDataException("not little-endian BTF data (bad magic)");
        int headerLength = (int)U32(4);
        _types = headerLength + (int)U32(8);
        int typesEnd = _types + (int)U32(12);
        _strings = headerLength + (int)U32(16);
        for (int at = _types; at < typesEnd;)
        {
            _typeOffsets.Add(at);
            at += 12 + TrailingSize(at);
        }
    }

    /// <summary>Reads the running kernel's BTF.</summary>
    /// <exception cref="FileNotFoundException">The kernel was built without <c>CONFIG_DEBUG_INFO_BTF</c>.</exception>
    public static KernelBtf Load() =>
        File.Exists(VmlinuxPath) ? Load(VmlinuxPath)
        : throw new FileNotFoundException($"the kernel has no BTF ({VmlinuxPath}): it needs CONFIG_DEBUG_INFO_BTF (Linux 5.4+) for the struct offsets this tool reads", VmlinuxPath);

    /// <summary>Reads BTF from a file (e.g. a module's <c>/sys/kernel/btf/&lt;module&gt;</c>).</summary>
    public static KernelBtf Load(string path) => new(File.ReadAllBytes(path));

    /// <summary>
    /// The byte offset of <paramref name="member"/> in <c>struct <paramref name="structName"/></c>, looking into
    /// anonymous structs and unions (which kernels with randomized layouts use) the way C's <c>offsetof</c> does.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such struct, or no such member in it.</exception>
    public int OffsetOf(string structName, string member)
    {
        int id = FindStruct(structName) ?? throw new KeyNotFoundException($"the kernel's BTF has no struct {structName}");
        return FindMember(id, member) / 8 ?? throw new KeyNotFoundException($"struct {structName} has no member {member} in the kernel's BTF");
    }

    private int? FindStruct(string name)
    {
        for (int id = 1; id < _typeOffsets.Count; id++)
        {
            int at = _typeOffsets[id];
            // Skip forward declarations and empty definitions: the full struct has members.
            if (Kind(at) == KindStruct && VLen(at) > 0 && NameIs(U32(at), name)) return id;
        }
        return null;
    }

    /// <summary>The bit offset of <paramref name="member"/> in struct/union <paramref name="id"/>, or null.</summary>
    private int? FindMember(int id, string member)
    {
        int at = _typeOffsets[id];
        bool bitfieldEncoding = (U32(at + 4) & 0x8000_0000) != 0; // kind_flag: offset holds size << 24 | bit offset
        for (int i = 0; i < VLen(at); i++)
        {
            int m = at + 12 + i * 12;
            uint nameOffset = U32(m), type = U32(m + 4), offset = U32(m + 8);
            int bits = (int)(bitfieldEncoding ? offset & 0xFF_FFFF : offset);
            if (nameOffset != 0)
            {
                if (NameIs(nameOffset, member)) return bits;
                continue;
            }
            // An anonymous struct or union member: its members belong to this struct.
            int inner = (int)SkipQualifiers(type);
            if (Kind(_typeOffsets[inner]) is KindStruct or KindUnion && FindMember(inner, member) is int nested)
                return bits + nested;
        }
        return null;
    }

    private uint SkipQualifiers(uint id)
    {
        while (id != 0 && Kind(_typeOffsets[(int)id]) is KindTypedef or KindVolatile or KindConst or KindRestrict or KindTypeTag)
            id = U32(_typeOffsets[(int)id] + 8);
        return id;
    }

    private int TrailingSize(int at) => Kind(at) switch
    {
        KindInt or KindVar or KindDeclTag => 4,
        KindArray => 12,
        KindStruct or KindUnion => 12 * VLen(at),
        KindEnum or KindFuncProto => 8 * VLen(at),
        KindDatasec or KindEnum64 => 12 * VLen(at),
        _ => 0, // pointers, forward declarations, typedefs, qualifiers, functions, floats carry nothing more
    };

    private int Kind(int at) => (int)(U32(at + 4) >> 24) & 0x1F;

    private int VLen(int at) => (int)(U32(at + 4) & 0xFFFF);

    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(at));

    private bool NameIs(uint nameOffset, string name)
    {
        ReadOnlySpan<byte> s = _data.AsSpan(_strings + (int)nameOffset);
        int end = s.IndexOf((byte)0);
        return Encoding.ASCII.GetByteCount(name) == end && Encoding.ASCII.GetString(s[..end]) == name;
    }
}
