using System.Text.RegularExpressions;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests;

/// <summary>
/// Pointer comparisons stay comparisons of pointers in the object: the verifier learns packet bounds only
/// from a jump that compares two pointer registers (`if r3 > r2` after `r3 = data + 14`), never from integer
/// arithmetic on them — what the network program types rely on for `data + n > dataEnd`.
/// </summary>
public class PointerCodegenTests
{
    [Fact]
    public void Bounds_checks_compare_pointer_registers()
    {
        var result = TestCompiler.Compile("""
            using System.Runtime.CompilerServices;
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static unsafe partial class P
            {
                public struct Args { public long A; public int R; }
                [MethodImpl(MethodImplOptions.NoInlining)]
                static int Parse(byte* data, byte* end)
                {
                    if (data + 14 > end) return -1;
                    return *(ushort*)(data + 12);
                }
                [Syscall]
                static int Run(ref Args a)
                {
                    byte* b = stackalloc byte[32];
                    a.R = Parse(b, b + (a.A & 31));
                    return 0;
                }
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        string obj = Path.Combine(Path.GetTempPath(), $"csbpf-ptrcmp-{Environment.ProcessId}.o");
        File.WriteAllBytes(obj, Assert.Single(result.Objects).Elf);
        try
        {
            var (exit, listing) = ProcessRunner.Run("llvm-objdump-19", "-d", "--no-show-raw-insn", obj);
            Assert.True(exit == 0, listing);
            string parse = listing[listing.IndexOf("<P_Parse>:", StringComparison.Ordinal)..];
            parse = parse[..parse.IndexOf("exit", StringComparison.Ordinal)];
            Match add = Regex.Match(parse, @"(r\d) \+= 0xe");
            Assert.True(add.Success, parse);
            Assert.Matches(@$"if {add.Groups[1].Value} > r\d goto", parse);   // data + 14 > end: pointer against pointer
            Assert.DoesNotMatch(@"r\d -= r\d", parse);                        // no integer difference of the two
        }
        finally { File.Delete(obj); }
    }

    [Fact]
    public void Objects_with_pointers_layouts_and_loops_are_byte_identical_across_compiles()
    {
        // Generated programs with structs (packed, fixed buffers), spans, inline arrays, pointers and foreach,
        // compiled twice from scratch: the post-O2 fix-ups and guard proofs must not depend on anything else.
        var generator = new Differential.ProgramGenerator(11);
        string source = Differential.DifferentialRunner.GenerateSource(Enumerable.Range(0, 40).Select(generator.Next).ToList());
        var first = TestCompiler.Compile(source);
        var second = TestCompiler.Compile(source);
        Assert.True(first.Success, string.Join("\n", first.Diagnostics));
        Assert.Equal(40, first.Objects.Length);
        for (int i = 0; i < first.Objects.Length; i++)
            Assert.True(first.Objects[i].Elf.AsSpan().SequenceEqual(second.Objects[i].Elf), first.Objects[i].ClassFullName);
    }
}
