using CsBpf.Compiler.Tests.Differential;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests;

/// <summary>Bpf.Printk with an interpolated string: the format is built at compile time and the kernel's
/// trace buffer shows the same text the CLR would print.</summary>
public class PrintkTests
{
    [Fact]
    public void Interpolated_printk_reaches_the_trace_buffer_formatted_like_CSharp()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                public struct Args { public int Marker; public uint Hex; public long Negative; }
                [Syscall]
                static int Run(ref Args a)
                {
                    Bpf.Printk($"csbpf-printk {a.Marker} hex={a.Hex:x} neg={a.Negative} 100%");
                    return 0;
                }
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var obj = BpfObject.Open(Assert.Single(result.Objects).Elf, "printk");
        obj.Load();

        int marker = Random.Shared.Next(1_000_000, int.MaxValue);
        byte[] ctx = new byte[16];
        BitConverter.TryWriteBytes(ctx.AsSpan(0), marker);
        BitConverter.TryWriteBytes(ctx.AsSpan(4), 0xBEEFu);
        BitConverter.TryWriteBytes(ctx.AsSpan(8), -42L);
        Assert.Equal(0u, KernelTestRun.Run(obj.GetProgram("Run").Fd, ctx));

        string expected = $"csbpf-printk {marker} hex={0xBEEFu:x} neg={-42L} 100%";
        string trace = File.ReadAllText("/sys/kernel/tracing/trace");
        Assert.Contains(expected, trace);
    }

    [Fact]
    public void More_than_three_values_or_alignment_are_reported()
    {
        var four = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                public struct Args { public int A; }
                [Syscall] static int Run(ref Args a) { Bpf.Printk($"{a.A} {a.A} {a.A} {a.A}"); Bpf.Printk($"{a.A,5}"); return 0; }
            }
            """);
        Assert.Contains(four.Diagnostics, d => d.Id == "CSBPF1001" && d.GetMessage().Contains("three"));
    }
}
