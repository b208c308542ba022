using System.Globalization;

namespace Samples.Profile;

/// <summary>
/// Kernel addresses to function names, from <c>/proc/kallsyms</c> (addresses are shown to root only; others
/// see zeros, and every frame then resolves to <c>[unknown]</c>).
/// </summary>
public sealed class KernelSymbols
{
    private readonly ulong[] _addresses;
    private readonly string[] _names;

    private KernelSymbols(ulong[] addresses, string[] names)
    {
        _addresses = addresses;
        _names = names;
    }

    /// <summary>Reads and sorts <c>/proc/kallsyms</c> (text symbols of the kernel and its modules).</summary>
    public static KernelSymbols Load(string path = "/proc/kallsyms")
    {
        var symbols = new List<(ulong Address, string Name)>();
        foreach (string line in File.ReadLines(path))
        {
            // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t fn\t[module]"
            string[] f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3 || f[1] is not ("T" or "t" or "W" or "w")) continue;
            if (!ulong.TryParse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong address) || address == 0) continue;
            symbols.Add((address, f[2]));
        }
        symbols.Sort((a, b) => a.Address.CompareTo(b.Address));
        return new KernelSymbols([.. symbols.Select(s => s.Address)], [.. symbols.Select(s => s.Name)]);
    }

    /// <summary>The number of symbols read (0 when the addresses are hidden).</summary>
    public int Count => _addresses.Length;

    /// <summary>The function containing <paramref name="address"/>: the closest symbol at or below it.</summary>
    public string Resolve(ulong address)
    {
        int i = Array.BinarySearch(_addresses, address);
        if (i < 0) i = ~i - 1;
        return i >= 0 ? _names[i] : "[unknown]";
    }
}
