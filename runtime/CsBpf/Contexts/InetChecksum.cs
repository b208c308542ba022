using System.Buffers.Binary;

namespace CsBpf;

/// <summary>
/// The kernel's one's-complement checksum arithmetic (include/net/checksum.h, lib/checksum.c), bit for bit, for
/// the CLR bodies of the checksum helpers. Values are as loaded from packet memory (little-endian loads of
/// network-order bytes), exactly as the kernel handles them.
/// </summary>
internal static class InetChecksum
{
    /// <summary><c>csum_add</c>: 32-bit addition with the carry wrapped around.</summary>
    public static uint Add(uint a, uint b)
    {
        uint r = unchecked(a + b);
        return unchecked(r + (r < b ? 1u : 0u));
    }

    /// <summary><c>csum_sub</c>.</summary>
    public static uint Sub(uint a, uint b) => Add(a, ~b);

    /// <summary><c>csum_fold</c>: folds a 32-bit partial sum to the complemented 16-bit checksum.</summary>
    public static ushort Fold(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary><c>csum_replace4</c>: the checksum after a 32-bit field changed from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static ushort Replace4(ushort sum, uint from, uint to) => Fold(Add(Sub(~(uint)sum, from), to));

    /// <summary><c>csum_replace2</c>: the same for a 16-bit field, in 16-bit arithmetic (<c>csum16_add</c>/<c>csum16_sub</c>).</summary>
    public static ushort Replace2(ushort sum, ushort from, ushort to) => (ushort)~Add16(Add16((ushort)~sum, (ushort)~from), to);

    /// <summary><c>csum_replace_by_diff</c>: the checksum after adding a <c>bpf_csum_diff</c> result.</summary>
    public static ushort ReplaceByDiff(ushort sum, uint diff) => Fold(Add(diff, ~(uint)sum));

    /// <summary><c>csum16_add</c>.</summary>
    private static ushort Add16(ushort sum, ushort addend)
    {
        ushort r = unchecked((ushort)(sum + addend));
        return unchecked((ushort)(r + (r < addend ? 1 : 0)));
    }

    /// <summary>
    /// <c>csum_partial</c>: the 32-bit one's-complement sum of <paramref name="data"/> (little-endian words, a
    /// partial last word zero-padded) plus <paramref name="seed"/>; 0 only when everything is zero, like the
    /// x86-64 implementation, so every fold of it matches the kernel's.
    /// </summary>
    public static uint Partial(ReadOnlySpan<byte> data, uint seed)
    {
        ulong sum = seed;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4) sum += BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
        if (i < data.Length)
        {
            Span<byte> tail = stackalloc byte[4];
            tail.Clear();
            data[i..].CopyTo(tail);
            sum += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        }
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        return (uint)sum;
    }

    /// <summary><c>csum_from32to16</c>: folds to 16 bits without complementing.</summary>
    public static ushort From32To16(uint sum)
    {
        sum = unchecked(sum + ((sum >> 16) | (sum << 16)));
        return (ushort)(sum >> 16);
    }

    /// <summary><c>bpf_csum_diff</c> as of Linux 6.12 (folded to 16 bits; older kernels returned the 32-bit sum).</summary>
    public static long Diff(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, uint seed)
    {
        uint result = seed;
        if (from.Length != 0 && to.Length != 0) result = Sub(Partial(to, result), Partial(from, 0));
        else if (to.Length != 0) result = Partial(to, result);
        else if (from.Length != 0) result = ~Partial(from, ~result);
        return From32To16(result);
    }
}
