using System.Runtime.InteropServices;
using CsBpf.Compiler.Tests.Differential;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Tests.Rules;

/// <summary>
/// Map keys and values with explicit layouts, Pack/Size and fixed buffers: the rule set accepts them (CSBPF1150 is
/// only for layouts the compiler cannot match, LayoutKind.Auto), the compiler lays them out as the CLR does, and
/// the host reads exactly the bytes the program wrote.
/// </summary>
public class LayoutMapTests
{
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct Overlay
    {
        [FieldOffset(0)] public ulong Whole;
        [FieldOffset(0)] public uint Low;
        [FieldOffset(3)] public ushort Misaligned;
        [FieldOffset(12)] public int Tail;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct Named
    {
        public byte Kind;
        public long Stamp;
        public fixed byte Name[6];
        public Overlay Inner;
    }

    public struct Input { public int X; public int Y; }

    private const string Program = """
        using System;
        using System.Runtime.InteropServices;
        using CsBpf;

        [StructLayout(LayoutKind.Explicit, Size = 24)]
        public struct Overlay
        {
            [FieldOffset(0)] public ulong Whole;
            [FieldOffset(0)] public uint Low;
            [FieldOffset(3)] public ushort Misaligned;
            [FieldOffset(12)] public int Tail;
        }
        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        public unsafe struct Named
        {
            public byte Kind;
            public long Stamp;
            public fixed byte Name[6];
            public Overlay Inner;
        }
        public struct Input { public int X; public int Y; }

        [BpfProgram(License = "GPL")]
        public static unsafe partial class LayoutMaps
        {
            [Map] static readonly ArrayMap<Named> Values = new(maxEntries: 1);
            [Map] static readonly HashMap<Overlay, Named> ByKey = new(maxEntries: 4);

            [Syscall]
            static int Run(ref Input a)
            {
                Fill(a.X, a.Y, out Named n);
                Values.Update(0, n);
                ByKey.Update(n.Inner, n);
                return 0;
            }

            public static void Fill(int x, int y, out Named n)
            {
                n = default;
                n.Kind = (byte)x;
                n.Stamp = (long)x * y;
                for (int i = 0; i < 6; i++) n.Name[i] = (byte)(x + i);
                n.Inner.Whole = (ulong)(uint)x << 32 | (uint)y;
                n.Inner.Misaligned = (ushort)(y ^ 0x5a5a);
                n.Inner.Tail = x - y;
            }
        }
        """;

    /// <summary>What the program computes, on the CLR (the same code as LayoutMaps.Fill).</summary>
    private static unsafe Named Fill(int x, int y)
    {
        Named n = default;
        n.Kind = (byte)x;
        n.Stamp = (long)x * y;
        for (int i = 0; i < 6; i++) n.Name[i] = (byte)(x + i);
        n.Inner.Whole = (ulong)(uint)x << 32 | (uint)y;
        n.Inner.Misaligned = (ushort)(y ^ 0x5a5a);
        n.Inner.Tail = x - y;
        return n;
    }

    private static byte[] Bytes<T>(T value) where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    [Fact]
    public unsafe void Explicit_packed_and_fixed_buffer_structs_are_map_keys_and_values_byte_for_byte()
    {
        var compilation = TestCompiler.CreateCompilation(Program);
        Assert.DoesNotContain(Frontend.RuleSetRunner.Run(compilation, CancellationToken.None), d => d.Severity == DiagnosticSeverity.Error);
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions());
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));

        KernelEnvironment.Require();
        using var bpf = BpfObject.Open(Assert.Single(result.Objects).Elf, "layout_" + Environment.ProcessId);
        bpf.Load();
        int fd = bpf.GetProgram("Run").Fd;
        foreach (var (x, y) in new[] { (7, 3), (-1, int.MaxValue), (0x1234567, -0x7654321) })
        {
            Input input = new() { X = x, Y = y };
            byte[] context = Bytes(input);
            Assert.Equal(0u, KernelTestRun.Run(fd, context));
            Named expected = Fill(x, y);
            Named written = bpf.GetArrayMap<Named>("Values")[0];
            Assert.Equal(Bytes(expected), Bytes(written));
            Assert.Equal(Bytes(expected), Bytes(bpf.GetHashMap<Overlay, Named>("ByKey")[expected.Inner]));
        }
    }
}
