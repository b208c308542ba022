namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>Malformed tracing program declarations get CSBPF1006 with the cause, not a crash or a section libbpf
/// would misparse.</summary>
public class TracingDeclarationTests
{
    [Theory]
    [InlineData("[Uprobe(\"bin/relative\", \"f\")] static int M(PtRegs ctx) => 0;", "absolute path")]
    [InlineData("[Uprobe(\"/bin/a:b\", \"f\")] static int M(PtRegs ctx) => 0;", "without ':'")]
    [InlineData("[Uprobe(\"/bin/true\", \"f-g\")] static int M(PtRegs ctx) => 0;", "symbol name of letters")]
    [InlineData("[Uprobe(Offset = 4)] static int M(PtRegs ctx) => 0;", "an offset needs a function")]
    [InlineData("[Uretprobe(\"/bin/true\", \"f\")] static int M(long a, long b) => 0;", "at most 1 parameter")]
    [InlineData("[RawTracepoint(\"sched/sched_switch\")] static int M(RawTracepointContext ctx) => 0;", "without its category")]
    [InlineData("[RawTracepoint(\"sys_enter\")] static int M(PtRegs ctx) => 0;", "RawTracepointContext ctx")]
    [InlineData("[PerfEvent] static int M() => 0;", "PerfEventContext ctx")]
    [InlineData("[PerfEvent] static long M(PerfEventContext ctx) => 0;", "must return int")]
    [InlineData("[Usdt(\"/bin/true\", \"p:q\", \"n\")] static int M(long a) => 0;", "a provider and a name")]
    [InlineData("[Usdt(\"/bin/true\", \"p\", \"n\")] static int M(ref long a) => 0;", "passed by value")]
    [InlineData("[Tracepoint(\"syscalls\", \"sys_enter_openat\")] static int M(ref readonly System.Span<byte> r) => 0;", "unmanaged struct")]
    public void Is_reported_with_the_cause(string declaration, string cause)
    {
        var result = TestCompiler.Compile($$"""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Bad
            {
                {{declaration}}
            }
            """);
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains(cause));
    }

    [Theory]
    [InlineData("[Uprobe(\"/usr/lib/x86_64-linux-gnu/libc.so.6\", \"malloc\", Offset = 0x10)] static int M(PtRegs ctx) => 0;", "uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:malloc+0x10")]
    [InlineData("[Uretprobe] static int M() => 0;", "uretprobe")]
    [InlineData("[Usdt(\"/usr/bin/app\", \"app\", \"req\")] static int M(long a) => 0;", "usdt//usr/bin/app:app:req")]
    [InlineData("[RawTracepoint(\"sched_switch\")] static int M(bool preempt, nuint prev, nuint next) => 0;", "raw_tracepoint/sched_switch")]
    public void Valid_declarations_get_libbpf_sections(string declaration, string section)
    {
        var result = TestCompiler.Compile($$"""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Good
            {
                {{declaration}}
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Contains(section, Sections(Assert.Single(result.Objects).Elf));
    }

    /// <summary>The NUL-separated strings of the ELF file (section names among them).</summary>
    private static IEnumerable<string> Sections(byte[] elf)
    {
        int start = 0;
        for (int i = 0; i < elf.Length; i++)
        {
            if (elf[i] != 0) continue;
            if (i > start) yield return System.Text.Encoding.Latin1.GetString(elf, start, i - start);
            start = i + 1;
        }
    }
}
