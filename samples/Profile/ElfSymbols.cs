using System.Buffers.Binary;
using System.Text;

namespace Samples.Profile;

/// <summary>
/// The function symbols of an ELF64 file (<c>.symtab</c>, else <c>.dynsym</c>) and its loadable segments, to
/// turn a file offset into a function name. Enough for shared libraries and executables; no DWARF, no
/// demangling. Layouts are from include/uapi/linux/elf.h.
/// </summary>
public sealed class ElfSymbols
{
    private const uint SectionSymtab = 2, SectionDynsym = 11, SegmentLoad = 1;
    private const int SymbolFunction = 2, SymbolIndirectFunction = 10;

    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    private readonly (ulong FileOffset, ulong FileSize, ulong Address)[] _segments;
    private readonly ulong[] _starts;
    private readonly (ulong Size, string Name)[] _symbols;

    private ElfSymbols((ulong, ulong, ulong)[] segments, List<(ulong Start, ulong Size, string Name)> symbols)
    {
        _segments = segments;
        symbols.Sort((a, b) => a.Start.CompareTo(b.Start));
        _starts = [.. symbols.Select(s => s.Start)];
        _symbols = [.. symbols.Select(s => (s.Size, s.Name))];
    }

    /// <summary>Reads the symbols of <paramref name="path"/>; null when it is not a readable little-endian ELF64 file.</summary>
    public static ElfSymbols? TryLoad(string path)
    {
        try
        {
            byte[] data = File.ReadAllBytes(path);
            if (data.Length < 64 || !data.AsSpan(0, 4).SequenceEqual(ElfMagic) || data[4] != 2 || data[5] != 1)
                return null; // not ELF, not 64-bit, or not little-endian
            ulong phoff = U64(data, 32), shoff = U64(data, 40);
            int phentsize = U16(data, 54), phnum = U16(data, 56), shentsize = U16(data, 58), shnum = U16(data, 60);

            var segments = new List<(ulong, ulong, ulong)>();
            for (int i = 0; i < phnum; i++)
            {
                int p = checked((int)phoff + i * phentsize);
                if (U32(data, p) == SegmentLoad) segments.Add((U64(data, p + 8), U64(data, p + 32), U64(data, p + 16)));
            }

            // Prefer the full symbol table; stripped libraries have only the dynamic one (exported functions).
            var symbols = new List<(ulong, ulong, string)>();
            foreach (uint wanted in (uint[])[SectionSymtab, SectionDynsym])
            {
                for (int i = 0; i < shnum && symbols.Count == 0; i++)
                {
                    int s = checked((int)shoff + i * shentsize);
                    if (U32(data, s + 4) != wanted) continue;
                    int table = checked((int)U64(data, s + 24)), size = checked((int)U64(data, s + 32)), entry = checked((int)U64(data, s + 56));
                    int strings = checked((int)U64(data, checked((int)shoff + (int)U32(data, s + 40) * shentsize) + 24));
                    for (int at = table; entry > 0 && at + entry <= table + size; at += entry)
                    {
                        int type = data[at + 4] & 0xF;
                        ulong value = U64(data, at + 8);
                        if (type is not (SymbolFunction or SymbolIndirectFunction) || value == 0) continue;
                        symbols.Add((value, U64(data, at + 16), CString(data, strings + (int)U32(data, at))));
                    }
                }
                if (symbols.Count > 0) break;
            }
            return new ElfSymbols([.. segments], symbols);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            return null; // unreadable or malformed: frames in it stay unresolved
        }
    }

    /// <summary>The function at <paramref name="fileOffset"/> (an offset in the file, as <c>/proc/PID/maps</c> gives), or null.</summary>
    public string? Resolve(ulong fileOffset)
    {
        foreach (var (offset, size, address) in _segments)
        {
            if (fileOffset < offset || fileOffset >= offset + size) continue;
            ulong virtualAddress = fileOffset - offset + address;
            int i = Array.BinarySearch(_starts, virtualAddress);
            if (i < 0) i = ~i - 1;
            // The closest symbol below, if the address is inside it (or it has no size, as hand-written assembly).
            if (i >= 0 && (_symbols[i].Size == 0 || virtualAddress < _starts[i] + _symbols[i].Size)) return _symbols[i].Name;
            return null;
        }
        return null;
    }

    private static ushort U16(byte[] d, int at) => BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(at));

    private static uint U32(byte[] d, int at) => BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at));

    private static ulong U64(byte[] d, int at) => BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(at));

    private static string CString(byte[] d, int at)
    {
        int end = Array.IndexOf(d, (byte)0, at);
        return Encoding.UTF8.GetString(d, at, (end < 0 ? d.Length : end) - at);
    }
}
