using System.Globalization;
using System.Text;

namespace Samples.RunQLat;

/// <summary>Prints a log2 histogram the way BCC and libbpf-tools do (<c>print_log2_hist</c> in trace_helpers.c).</summary>
public static class Log2Histogram
{
    private const int StarsMax = 40;

    /// <summary>
    /// Formats <paramref name="slots"/> (slot <c>i</c> counts values in [2^i, 2^(i+1)), slot 0 also 0) under a
    /// header naming the unit, up to the last non-empty slot; nothing when every slot is empty.
    /// </summary>
    public static string Format(IReadOnlyList<ulong> slots, string unit)
    {
        int last = -1;
        ulong max = 0;
        for (int i = 0; i < slots.Count; i++)
        {
            if (slots[i] > 0) last = i;
            if (slots[i] > max) max = slots[i];
        }
        if (last < 0) return "";

        bool wide = last > 32; // values past 2^32 need 20-digit columns
        int width = wide ? 20 : 10, stars = wide ? StarsMax / 2 : StarsMax;
        var text = new StringBuilder();
        text.Append(' ', wide ? 15 : 5).Append(unit.PadRight(wide ? 29 : 19)).Append(" : count    distribution\n");
        for (int i = 0; i <= last; i++)
        {
            ulong low = (1UL << (i + 1)) >> 1, high = (1UL << (i + 1)) - 1;
            if (low == high) low--; // slot 0 is "0 -> 1"
            text.Append(low.ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(" -> ")
                .Append(high.ToString(CultureInfo.InvariantCulture).PadRight(width)).Append(" : ")
                .Append(slots[i].ToString(CultureInfo.InvariantCulture).PadRight(8)).Append(" |")
                .Append(Stars(slots[i], max, stars)).Append("|\n");
        }
        return text.ToString();
    }

    /// <summary>A bar of <paramref name="width"/> characters, <c>*</c> in proportion to <paramref name="value"/>/<paramref name="max"/>
    /// rounded down (trace_helpers.c <c>print_stars</c>).</summary>
    private static string Stars(ulong value, ulong max, int width) =>
        new string('*', (int)((UInt128)value * (uint)width / max)).PadRight(width);
}
