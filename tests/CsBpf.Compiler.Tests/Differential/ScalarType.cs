using System.Buffers.Binary;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>A scalar C# type the differential tests pass in and out: its keyword, size, CLR type and
/// little-endian encoding (the BPF side reads the same bytes at the same offsets).</summary>
internal sealed record ScalarType(string Keyword, int Size, Type ClrType, bool Signed)
{
    public static readonly ScalarType Bool = new("bool", 1, typeof(bool), false);
    public static readonly ScalarType SByte = new("sbyte", 1, typeof(sbyte), true);
    public static readonly ScalarType Byte = new("byte", 1, typeof(byte), false);
    public static readonly ScalarType Short = new("short", 2, typeof(short), true);
    public static readonly ScalarType UShort = new("ushort", 2, typeof(ushort), false);
    public static readonly ScalarType Char = new("char", 2, typeof(char), false);
    public static readonly ScalarType Int = new("int", 4, typeof(int), true);
    public static readonly ScalarType UInt = new("uint", 4, typeof(uint), false);
    public static readonly ScalarType Long = new("long", 8, typeof(long), true);
    public static readonly ScalarType ULong = new("ulong", 8, typeof(ulong), false);

    public static readonly ScalarType[] Integers = [SByte, Byte, Short, UShort, Char, Int, UInt, Long, ULong];

    /// <summary>Boxes the raw 64-bit pattern as this type (truncating).</summary>
    public object FromBits(ulong bits) => Keyword switch
    {
        "bool" => (bits & 1) != 0,
        "sbyte" => (sbyte)bits, "byte" => (byte)bits, "short" => (short)bits, "ushort" => (ushort)bits, "char" => (char)bits,
        "int" => (int)bits, "uint" => (uint)bits, "long" => (long)bits, _ => (object)bits,
    };

    public ulong ToBits(object value) => value switch
    {
        bool b => b ? 1UL : 0UL,
        sbyte v => (ulong)v, byte v => v, short v => (ulong)v, ushort v => v, char v => v,
        int v => (ulong)v, uint v => v, long v => (ulong)v, ulong v => v,
        _ => throw new ArgumentException(value.GetType().Name),
    };

    public void Write(Span<byte> destination, object value)
    {
        ulong bits = ToBits(value);
        Span<byte> tmp = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(tmp, bits);
        tmp[..Size].CopyTo(destination);
    }

    public object Read(ReadOnlySpan<byte> source)
    {
        Span<byte> tmp = stackalloc byte[8];
        tmp.Clear();
        source[..Size].CopyTo(tmp);
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(tmp);
        return Keyword == "bool" ? source[0] != 0 : FromBits(bits);
    }

    /// <summary>A C# literal of <paramref name="value"/> (for printing failing programs).</summary>
    public string Literal(object value) => value switch
    {
        bool b => b ? "true" : "false",
        char c => $"(char){(int)c}",
        sbyte or short or byte or ushort => $"({Keyword}){value}",
        int i => i == int.MinValue ? "int.MinValue" : i.ToString(),
        long l => l == long.MinValue ? "long.MinValue" : l + "L",
        uint u => u + "U",
        ulong ul => ul + "UL",
        _ => value.ToString()!,
    };

    /// <summary>Edge values: zero, ±1, extremes and their neighbours, a few bit patterns.</summary>
    public IEnumerable<object> EdgeValues()
    {
        if (Keyword == "bool") { yield return false; yield return true; yield break; }
        ulong[] patterns = [0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 65, 255, 0x80, 0x7F, 0x8000, 0x7FFF, 0x8000_0000, 0x7FFF_FFFF,
            0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, ulong.MaxValue, ulong.MaxValue - 1, 0xDEAD_BEEF_CAFE_F00D, 0x0123_4567_89AB_CDEF];
        var seen = new HashSet<ulong>();
        foreach (ulong p in patterns)
        {
            object v = FromBits(p);
            if (seen.Add(ToBits(v))) yield return v;
        }
    }
}
