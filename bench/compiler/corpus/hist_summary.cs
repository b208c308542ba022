using System.Runtime.CompilerServices;
using CsBpf;

namespace Bench;

/// <summary>The summary a syscall program hands back to user space.</summary>
public struct HistSummary
{
    public ulong Total;
    public ulong Weighted;
    public uint MaxSlot;
    public uint MedianSlot;
    public uint NonEmpty;
    public uint Reserved;
}

/// <summary>Summarises a 64-slot log2 histogram in the kernel (two bounded loops over an array map):
/// total, weighted sum, highest and median non-empty slot.</summary>
[BpfProgram(License = "GPL")]
public static partial class HistSummarize
{
    [Map] static readonly ArrayMap<ulong> Hist = new(maxEntries: 64);

    [Syscall]
    static int Summarize(ref HistSummary summary)
    {
        ulong total = 0, weighted = 0;
        uint maxSlot = 0, nonEmpty = 0;
        for (uint i = 0; i < 64; i++)
        {
            ref ulong c = ref Hist.GetValueRefOrNullRef(i);
            if (Unsafe.IsNullRef(ref c) || c == 0) continue;
            total += c;
            weighted += c * i;
            maxSlot = i;
            nonEmpty++;
        }

        ulong half = (total + 1) / 2, running = 0;
        uint median = 0;
        for (uint i = 0; i < 64; i++)
        {
            ref ulong c = ref Hist.GetValueRefOrNullRef(i);
            if (Unsafe.IsNullRef(ref c)) continue;
            running += c;
            if (running >= half)
            {
                median = i;
                break;
            }
        }

        summary.Total = total;
        summary.Weighted = weighted;
        summary.MaxSlot = maxSlot;
        summary.MedianSlot = median;
        summary.NonEmpty = nonEmpty;
        return total == 0 ? 1 : 0;
    }
}
