using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests;

/// <summary>Attach-by-function program kinds: sections, argument loading from the context, BTF.</summary>
public class ProgramKindTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class Kinds
        {
            [Map] static readonly HashMap<uint, long> Last = new(maxEntries: 64);

            [Kprobe("do_sys_openat2")]
            static int OnOpen(int dfd, nuint filename)
            {
                Last.Update(1, dfd);
                return 0;
            }

            [Kretprobe("do_sys_openat2")]
            static int OnOpenReturn(long ret)
            {
                Last.Update(2, ret);
                return 0;
            }

            [Fentry("do_sys_openat2")]
            static int OnEntry(int dfd, nuint filename) { Last.Update(3, (long)filename); return 0; }

            [Fexit("do_sys_openat2")]
            static int OnExit(int dfd, nuint filename, nuint how, long ret) { Last.Update(4, ret); return 0; }

            [Lsm("file_open")]
            static int OnFileOpen(nuint file) => 0;
        }
        """;

    [Fact]
    public void Each_kind_lands_in_its_libbpf_section_with_a_ctx_entry_point()
    {
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-kinds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string obj = Path.Combine(dir, "kinds.bpf.o");
        File.WriteAllBytes(obj, Assert.Single(result.Objects).Elf);
        try
        {
            var (exit, headers) = ProcessRunner.Run("llvm-objdump-19", "-h", "-t", obj);
            Assert.True(exit == 0, headers);
            foreach (string section in new[] { "kprobe/do_sys_openat2", "kretprobe/do_sys_openat2", "fentry/do_sys_openat2", "fexit/do_sys_openat2", "lsm/file_open" })
                Assert.Contains(section, headers);

            var (dexit, disassembly) = ProcessRunner.Run("llvm-objdump-19", "-d", "--no-show-raw-insn", obj);
            Assert.True(dexit == 0, disassembly);
            // kprobe: dfd from rdi (pt_regs+112); kretprobe: rax (+80); fexit's return value is the 4th slot (+24).
            Assert.Matches(@"<OnOpen>:[\s\S]*?r\d = \*\(u64 \*\)\(r1 \+ 0x70\)", disassembly);
            Assert.Matches(@"<OnOpenReturn>:[\s\S]*?r\d = \*\(u64 \*\)\(r1 \+ 0x50\)", disassembly);
            Assert.Matches(@"<OnExit>:[\s\S]*?r\d = \*\(u64 \*\)\(r1 \+ 0x18\)", disassembly);

            var (bexit, btf) = ProcessRunner.Run("bpftool", "btf", "dump", "file", obj);
            Assert.True(bexit == 0, btf);
            Assert.Contains("FUNC 'OnOpen' type_id=", btf);
            Assert.Contains("FUNC 'OnFileOpen' type_id=", btf);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Too_many_or_non_scalar_parameters_are_reported()
    {
        var result = TestCompiler.Compile(Source.Replace("static int OnOpenReturn(long ret)", "static int OnOpenReturn(long ret, long extra)")
            .Replace("static int OnFileOpen(nuint file)", "static int OnFileOpen(ref nuint file)"));
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("at most 1 parameter"));
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("'file'"));
    }
}
