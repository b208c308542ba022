using System.Buffers.Binary;
using System.Text;

namespace CsBpf.Runtime.Logging;

/// <summary>
/// Finds a section of a little-endian ELF64 object by name (the BPF objects libbpf opens), without libelf: the
/// CsBpf compiler's <c>.csbpf.log</c> format table is a section libbpf skips, so the runtime reads it itself.
/// </summary>
internal static class ElfSections
{
    /// <summary>The bytes of section <paramref name="name"/>, or empty when the object has none (or is not ELF64 LE).</summary>
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> elf, string name)
    {
        // Elf64_Ehdr: e_ident[16] ("\x7fELF", class 2 = 64-bit, data 1 = little-endian), e_shoff at 0x28,
        // e_shentsize at 0x3a, e_shnum at 0x3c, e_shstrndx at 0x3e.
        if (elf.Length < 0x40 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            return default;
        var sectionHeaders = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3a..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..]);
        int namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3e..]);
        if (entrySize < 0x40 || namesIndex >= count || sectionHeaders > (ulong)elf.Length || (ulong)count * (ulong)entrySize > (ulong)elf.Length - sectionHeaders)
            return default;

        var names = Section(elf, (int)sectionHeaders + namesIndex * entrySize);
        Span<byte> wanted = stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length) + 1];
        wanted = wanted[..(Encoding.UTF8.GetBytes(name, wanted) + 1)];
        wanted[^1] = 0;
        for (var i = 0; i < count; i++)
        {
            var header = elf.Slice((int)sectionHeaders + i * entrySize, entrySize);
            // Elf64_Shdr: sh_name (u32) at 0, sh_type (u32) at 4 (SHT_NOBITS = 8 has no bytes in the file).
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (nameOffset >= (uint)names.Length || !names[(int)nameOffset..].StartsWith(wanted)) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == 8) return default;
            return Section(elf, (int)sectionHeaders + i * entrySize);
        }
        return default;
    }

    /// <summary>The file bytes of the section whose header is at <paramref name="headerOffset"/> (sh_offset at 0x18, sh_size at 0x20).</summary>
    private static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> elf, int headerOffset)
    {
        var offset = BinaryPrimitives.ReadUInt64LittleEndian(elf[(headerOffset + 0x18)..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(elf[(headerOffset + 0x20)..]);
        if (offset > (ulong)elf.Length || size > (ulong)elf.Length - offset) return default;
        return elf.Slice((int)offset, (int)size);
    }
}
