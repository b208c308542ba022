using System.Text.RegularExpressions;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// The context form of kprobes and kretprobes (<c>static int M(PtRegs ctx)</c>): compiled to direct
/// <c>ctx + offset</c> loads of pt_regs, with the context passed to helpers that need it, and accepted by this
/// kernel's verifier. (Attaching kprobes needs CONFIG_KPROBES, which this host lacks: the guest tests attach
/// the typed form; uprobes, which share the program type and PtRegs, are attached here in UprobeTests.)
/// </summary>
public class KprobeContextTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class KprobeContext
        {
            public struct Seen { public ulong Dfd; public ulong Filename; public ulong Ip; public ulong Ret; public long StackBytes; public ulong Cookie; }

            [Map] static readonly ArrayMap<Seen> Last = new(maxEntries: 1);

            [Kprobe("do_sys_openat2")]
            static int OnOpen(PtRegs ctx)
            {
                ref Seen s = ref Last.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref s)) return 0;
                s.Dfd = ctx.Arg0;
                s.Filename = ctx.Arg1;
                s.Ip = Bpf.GetFuncIp(ctx);
                s.Cookie = Bpf.GetAttachCookie(ctx);
                System.Span<ulong> frames = stackalloc ulong[8];
                s.StackBytes = Bpf.GetStack(ctx, frames, GetStackFlags.None);
                return 0;
            }

            [Kretprobe("do_sys_openat2")]
            static int OnReturn(PtRegs ctx)
            {
                ref Seen s = ref Last.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref s)) return 0;
                s.Ret = ctx.ReturnValue;
                return 0;
            }
        }
        """;

    [Fact]
    public void Context_form_reads_pt_regs_at_constant_offsets()
    {
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-kprobe-ctx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string obj = Path.Combine(dir, "k.bpf.o");
            File.WriteAllBytes(obj, Assert.Single(result.Objects).Elf);
            var (exit, disassembly) = ProcessRunner.Run("llvm-objdump-19", "-d", "--no-show-raw-insn", obj);
            Assert.True(exit == 0, disassembly);
            // rdi (+0x70) and rsi (+0x68) loaded straight from the context; rax (+0x50) in the return probe.
            Assert.True(Regex.IsMatch(disassembly, @"<OnOpen>:[\s\S]*?r\d = \*\(u64 \*\)\(r\d \+ 0x70\)"), disassembly);
            Assert.True(Regex.IsMatch(disassembly, @"<OnOpen>:[\s\S]*?r\d = \*\(u64 \*\)\(r\d \+ 0x68\)"), disassembly);
            Assert.True(Regex.IsMatch(disassembly, @"<OnReturn>:[\s\S]*?r\d = \*\(u64 \*\)\(r\d \+ 0x50\)"), disassembly);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Context_form_kprobes_pass_the_verifier()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "kprobe_ctx");
        Assert.Equal("kprobe/do_sys_openat2", obj.GetProgram("OnOpen").SectionName);
        Assert.Equal("kretprobe/do_sys_openat2", obj.GetProgram("OnReturn").SectionName);
        Assert.True(obj.GetProgram("OnOpen").Fd > 0);
        Assert.True(obj.GetProgram("OnReturn").Fd > 0);
    }

    [Fact]
    public void Mixing_the_context_and_arguments_or_using_another_context_is_reported()
    {
        var both = TestCompiler.Compile(Source.Replace("static int OnOpen(PtRegs ctx)", "static int OnOpen(PtRegs ctx, long dfd)"));
        Assert.Contains(both.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("OnOpen(PtRegs ctx)"));
        var wrong = TestCompiler.Compile(Source.Replace("static int OnReturn(PtRegs ctx)", "static int OnReturn(RawTracepointContext ctx)")
            .Replace("s.Ret = ctx.ReturnValue;", "s.Ret = ctx.Arg0;"));
        Assert.Contains(wrong.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("kretprobe/do_sys_openat2") && d.GetMessage().Contains("PtRegs"));
    }
}
