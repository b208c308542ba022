using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Tests;

/// <summary>
/// Drives Fixtures/ringbuf.bpf.c: its SEC("syscall") programs write records into the ring buffers when run
/// with BPF_PROG_TEST_RUN, and count what they wrote and what the full ring made them drop (.bss).
/// </summary>
internal sealed class RingFixture : IDisposable
{
    /// <summary>Word k of a record (k ≥ 1) is seq * Pattern + k.</summary>
    public const ulong Pattern = 0x9E3779B97F4A7C15UL;

    /// <summary>C: <c>struct emit_args</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct EmitArgs
    {
        public ulong FirstSeq;
        public uint Count;
        public uint Size;
        public uint Ring;
        public uint Flags;
        public ulong Emitted;
    }

    /// <summary>C: the .bss section (<c>produced</c>, <c>dropped</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Counters
    {
        public ulong Produced;
        public ulong Dropped;
    }

    /// <summary>C: <c>struct fixed_record</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public readonly record struct FixedRecord(ulong Seq, ulong Check);

    public RingFixture()
    {
        Object = BpfObject.Open(BpfFixtures.Compile("ringbuf"), "ringbuf");
        Object.Load();
        Counts = Object.GetGlobals<Counters>(".bss");
    }

    public BpfObject Object { get; }

    public BpfGlobals<Counters> Counts { get; }

    public BpfRingBuffer Events => Object.GetRingBuffer("events");

    public BpfRingBuffer Small => Object.GetRingBuffer("small");

    /// <summary>Runs <c>emit</c>: <paramref name="count"/> records of <paramref name="size"/> bytes; returns how many made it into the ring.</summary>
    public int Emit(ulong firstSeq, int count, int size, int ring = 0, uint flags = 0)
    {
        var args = new EmitArgs { FirstSeq = firstSeq, Count = (uint)count, Size = (uint)size, Ring = (uint)ring, Flags = flags };
        var result = Object.GetProgram("emit").TestRun(ref args);
        Assert.Equal(0, result.ReturnValue);
        return (int)args.Emitted;
    }

    /// <summary>Runs <c>emit_with_discards</c>: <paramref name="count"/> 16-byte records, those with seq % 3 == 0 discarded.</summary>
    public int EmitWithDiscards(ulong firstSeq, int count)
    {
        var args = new EmitArgs { FirstSeq = firstSeq, Count = (uint)count };
        Object.GetProgram("emit_with_discards").TestRun(ref args);
        return (int)args.Emitted;
    }

    /// <summary>Checks one record's bytes against the pattern and returns its sequence number.</summary>
    public static ulong Verify(ReadOnlySpan<byte> record, int expectedSize)
    {
        Assert.Equal(expectedSize, record.Length);
        Span<byte> expected = stackalloc byte[(expectedSize + 7) / 8 * 8];
        var seq = record.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(record) : 0;
        if (record.Length < 8)
        {
            // Shorter than a word: the low bytes of seq.
            Span<byte> word = stackalloc byte[8];
            record.CopyTo(word);
            seq = BinaryPrimitives.ReadUInt64LittleEndian(word);
        }
        Fill(expected, seq);
        if (!record.SequenceEqual(expected[..expectedSize]))
            Assert.Fail($"record {seq} ({expectedSize} bytes) has wrong content");
        return seq;
    }

    /// <summary>The bytes the fixture writes for <paramref name="seq"/>.</summary>
    public static void Fill(Span<byte> destination, ulong seq)
    {
        for (var k = 0; k * 8 < destination.Length; k++)
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(k * 8)..], k == 0 ? seq : unchecked(seq * Pattern + (ulong)k));
    }

    public void Dispose() => Object.Dispose();
}
