using System.Globalization;

namespace Samples.Profile;

/// <summary>
/// User-space addresses of one process to names: the ELF symbols of the file mapped at the address
/// (<c>/proc/PID/maps</c>), JIT-compiled code from the process's perf map (<c>/tmp/perf-PID.map</c>, written by
/// .NET with <c>DOTNET_PerfMapEnabled=1</c>, by node with <c>--perf-basic-prof</c>, …), else <c>module+0xoffset</c>.
/// A process that has exited resolves nothing: its frames print as <c>[unknown]</c>, as in BCC.
/// </summary>
public sealed class ProcessSymbols
{
    private readonly List<(ulong Start, ulong End, ulong Offset, string Path)> _mappings = [];
    private readonly List<(ulong Start, ulong End, string Name)> _jitted = [];
    private readonly Dictionary<string, ElfSymbols?> _files;

    /// <summary>Reads the process's mappings and perf map now; <paramref name="files"/> caches ELF files across processes.</summary>
    public ProcessSymbols(int pid, Dictionary<string, ElfSymbols?> files)
    {
        _files = files;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/maps"))
            {
                // start-end perms offset dev inode [path]
                string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 6 || !f[5].StartsWith('/') || f[1][2] != 'x') continue; // executable file mappings only
                string[] range = f[0].Split('-');
                _mappings.Add((Hex(range[0]), Hex(range[1]), Hex(f[2]), f[5]));
            }
        }
        catch (IOException)
        {
            // the process is gone
        }
        string perfMap = $"/tmp/perf-{pid}.map";
        if (File.Exists(perfMap))
        {
            foreach (string line in File.ReadLines(perfMap))
            {
                // START SIZE name, in hex
                string[] f = line.Split(' ', 3);
                if (f.Length == 3 && ulong.TryParse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start) &&
                    ulong.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong size))
                    _jitted.Add((start, start + size, f[2]));
            }
            _jitted.Sort((a, b) => a.Start.CompareTo(b.Start));
        }
    }

    /// <summary>A name for <paramref name="address"/>.</summary>
    public string Resolve(ulong address)
    {
        // JIT-compiled code first: its memory may be a file mapping too (.NET maps it from a memfd).
        int lo = 0, hi = _jitted.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (address < _jitted[mid].Start) hi = mid - 1;
            else if (address >= _jitted[mid].End) lo = mid + 1;
            else return _jitted[mid].Name;
        }
        foreach (var (start, end, offset, path) in _mappings)
        {
            if (address < start || address >= end) continue;
            ulong fileOffset = address - start + offset;
            if (!_files.TryGetValue(path, out ElfSymbols? elf)) _files[path] = elf = ElfSymbols.TryLoad(path);
            return elf?.Resolve(fileOffset) ?? $"{Path.GetFileName(path)}+0x{fileOffset:x}";
        }
        return "[unknown]";
    }

    private static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
