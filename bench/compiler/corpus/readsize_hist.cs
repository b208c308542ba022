using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>Log2 histogram of vfs_read() request sizes (kprobe argument), with bcc's branch-free log2.</summary>
[BpfProgram(License = "GPL")]
public static partial class ReadSizeHist
{
    [Map] static readonly ArrayMap<ulong> Sizes = new(maxEntries: 64);

    static uint Log2(uint v)
    {
        uint r = (v > 0xFFFF ? 1u : 0u) << 4; v >>= (int)r;
        uint shift = (v > 0xFF ? 1u : 0u) << 3; v >>= (int)shift; r |= shift;
        shift = (v > 0xF ? 1u : 0u) << 2; v >>= (int)shift; r |= shift;
        shift = (v > 0x3 ? 1u : 0u) << 1; v >>= (int)shift; r |= shift;
        r |= v >> 1;
        return r;
    }

    static uint Log2L(ulong v)
    {
        uint hi = (uint)(v >> 32);
        return hi != 0 ? Log2(hi) + 32 : Log2((uint)v);
    }

    [Kprobe("vfs_read")]
    static int OnVfsRead(nuint file, nuint buf, ulong count)
    {
        ref ulong n = ref Sizes.GetValueRefOrNullRef(Log2L(count));
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
        return 0;
    }
}
