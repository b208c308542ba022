using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Struct layouts byte for byte the CLR's: Pack and Size on sequential structs, explicit layouts with
/// overlapping and misaligned fields, fixed buffers. Each case writes the fields and then reads the struct's
/// bytes through a byte pointer (and its size and field offsets), so any layout difference changes the result.
/// The [NoInlining] helpers take the struct by ref, which puts its type into the object's BTF: the kernel
/// validates it when it loads the program.
/// </summary>
public class LayoutTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters));

    private void AssertAgree(IReadOnlyList<DiffCase> cases, string cpu = "v3") => DifferentialRunner.AssertAgree(output, cases, cpu);

    /// <summary>A hash of a struct's bytes and size, computed by whoever runs it.</summary>
    internal const string Digest = """
        static unsafe ulong Digest(byte* p, int size)
        {
            ulong h = (ulong)size;
            for (int i = 0; i < size; i++) h = h * 1099511628211UL ^ p[i];
            return h;
        }
        """;

    [Fact]
    public void Pack_and_Size_on_sequential_structs()
    {
        DiffCase[] cases =
        [
            Case("pack1", """
                [StructLayout(LayoutKind.Sequential, Pack = 1)]
                public struct Packed { public byte A; public int B; public short C; public long D; public byte E; }
                public static unsafe ulong M(long a, int b)
                {
                    Packed p = default;
                    Fill(ref p, a, b);
                    p.B += 1; p.D ^= p.B; p.C = (short)(p.C + p.E);
                    return Digest((byte*)&p, sizeof(Packed)) + (ulong)((byte*)&p.D - (byte*)&p) * 1000 + (ulong)(p.B + p.C + p.D);
                }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static void Fill(ref Packed p, long a, int b) { p.A = (byte)b; p.B = b; p.C = (short)a; p.D = a; p.E = (byte)(a >> 8); }
                """ + Digest, ULong, Long, Int),
            Case("pack2-size", """
                [StructLayout(LayoutKind.Sequential, Pack = 2)]
                public struct Two { public byte A; public long B; public int C; }
                [StructLayout(LayoutKind.Sequential, Size = 13)]
                public struct Sized { public int A; public byte B; }
                [StructLayout(LayoutKind.Sequential, Pack = 1, Size = 7)]
                public struct Both { public int A; public byte B; }
                public struct Outer { public byte X; public Two T; public Sized S; public Both B; public short Y; }
                public static unsafe ulong M(long a, int b)
                {
                    Outer o = default;
                    Set(ref o, a, b);
                    Outer copy = o;
                    copy.T.B += 3;
                    return Digest((byte*)&o, sizeof(Outer)) ^ Digest((byte*)&copy, sizeof(Outer)) * 3
                        + (ulong)(sizeof(Two) * 10000 + sizeof(Sized) * 100 + sizeof(Both))
                        + (ulong)((byte*)&o.Y - (byte*)&o) * 1000000 + (ulong)o.T.B;
                }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static void Set(ref Outer o, long a, int b)
                {
                    o.X = (byte)a; o.T.A = (byte)b; o.T.B = a; o.T.C = b; o.S.A = b * 3; o.S.B = 7;
                    o.B.A = (int)(a >> 3); o.B.B = (byte)(b >> 4); o.Y = (short)(a ^ b);
                }
                """ + Digest, ULong, Long, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Explicit_layout_with_overlapping_and_misaligned_fields()
    {
        DiffCase[] cases =
        [
            Case("union", """
                [StructLayout(LayoutKind.Explicit)]
                public struct Union
                {
                    [FieldOffset(0)] public long L;
                    [FieldOffset(0)] public int Low;
                    [FieldOffset(4)] public int High;
                    [FieldOffset(2)] public short Middle;
                    [FieldOffset(8)] public byte Tag;
                    [FieldOffset(9)] public int Misaligned;
                    [FieldOffset(16)] public ulong After;
                }
                public static unsafe ulong M(long a, int b)
                {
                    Union u = default;
                    Write(ref u, a, b);
                    u.High ^= b;
                    u.Middle += 3;
                    u.Misaligned = b * 5;
                    ulong result = Digest((byte*)&u, sizeof(Union)) + (ulong)u.L + (ulong)u.Low * 3 + (ulong)u.Tag + (ulong)u.Misaligned + u.After;
                    return result + (ulong)sizeof(Union) * 100000;
                }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static void Write(ref Union u, long a, int b) { u.L = a; u.Tag = (byte)b; u.After = (ulong)a * 3; }
                """ + Digest, ULong, Long, Int),
            Case("explicit-pack-size", """
                [StructLayout(LayoutKind.Explicit, Pack = 1)]
                public struct P1 { [FieldOffset(0)] public long A; [FieldOffset(8)] public byte B; }
                [StructLayout(LayoutKind.Explicit, Size = 20)]
                public struct S20 { [FieldOffset(0)] public int A; [FieldOffset(3)] public short B; }
                public struct Holder { public byte X; public P1 P; public S20 S; public P1 Q; }
                public static unsafe ulong M(long a)
                {
                    Holder h = default;
                    Fill(ref h, a);
                    h.Q.A = h.P.A + 1;
                    return Digest((byte*)&h, sizeof(Holder)) + (ulong)(sizeof(P1) * 100 + sizeof(S20)) + (ulong)((byte*)&h.Q - (byte*)&h) * 10000;
                }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static void Fill(ref Holder h, long a) { h.X = 1; h.P.A = a; h.P.B = (byte)(a >> 56); h.S.A = (int)a; h.S.B = (short)(a >> 16); h.Q.B = 9; }
                """ + Digest, ULong, Long),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Fixed_buffers_have_the_CLR_layout_and_checked_indexes()
    {
        DiffCase[] cases =
        [
            Case("fixed-buffers", """
                public unsafe struct Record { public byte Kind; public fixed byte Name[16]; public fixed int Values[3]; public long Total; }
                public static unsafe ulong M(long a, int b)
                {
                    Record r = default;
                    r.Kind = (byte)b;
                    for (int i = 0; i < 16; i++) r.Name[i] = (byte)(a >> (i & 7) * 8);
                    int k = b & 15;
                    r.Name[k] ^= 0x5A;
                    uint j = (uint)b;
                    if (j < 3) r.Values[j] = b;
                    r.Values[2] += 7;
                    byte* name = r.Name;
                    name[1] = 42;
                    Sum(ref r);
                    return Digest((byte*)&r, sizeof(Record)) + (ulong)r.Total + (ulong)((byte*)r.Values - (byte*)&r) * 1000;
                }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static unsafe void Sum(ref Record r)
                {
                    fixed (byte* p = r.Name)
                        for (int i = 0; i < 16; i++) r.Total += p[i];
                    r.Total += r.Values[0] + r.Values[1];
                }
                """ + Digest, ULong, Long, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Btf_describes_overlapping_fields_as_unions_and_fixed_buffers_as_arrays()
    {
        var result = TestCompiler.Compile("""
            using System.Runtime.InteropServices;
            using CsBpf;
            [StructLayout(LayoutKind.Explicit)]
            public unsafe struct Packet
            {
                [FieldOffset(0)] public ulong Raw;
                [FieldOffset(0)] public uint Low;
                [FieldOffset(4)] public ushort Port;
                [FieldOffset(6)] public ushort Flags;
                [FieldOffset(8)] public fixed byte Payload[6];
            }
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                static Packet Last;
                [Tracepoint("syscalls", "sys_enter_openat")]
                static unsafe int Prog(TracepointContext ctx) { Last.Port = 80; Last.Payload[1] = 2; return Last.Low == 3 ? 1 : 0; }
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        string obj = Path.Combine(Path.GetTempPath(), $"csbpf-union-{Environment.ProcessId}.o");
        File.WriteAllBytes(obj, Assert.Single(result.Objects).Elf);
        try
        {
            var (exit, btf) = ProcessRunner.Run("bpftool", "btf", "dump", "file", obj);
            output.WriteLine(btf);
            Assert.True(exit == 0, btf);
            Assert.Contains("STRUCT 'Packet' size=16 vlen=2", btf);           // the union of bytes 0-8, then Payload
            Assert.Contains("UNION '(anon)' size=8 vlen=2", btf);             // Raw | struct { Low; Port; Flags; }
            Assert.Contains("STRUCT '(anon)' size=8 vlen=3", btf);
            Assert.Contains("'Port' type_id=", btf);
            Assert.Contains("bits_offset=32", btf);                            // Port at byte 4 of its lane
            Assert.Contains("'Payload' type_id=", btf);
            Assert.Contains("nr_elems=6", btf);
        }
        finally { File.Delete(obj); }
    }
}
