using CsBpf.Compiler.Tracepoints;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>The same sources give byte-identical objects for the tracing program kinds too (the USDT part the
/// compiler adds, uprobe sections, contexts, records).</summary>
public class TracingDeterminismTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class Everything
        {
            [Map] static readonly ArrayMap<long> Sink = new(maxEntries: 8);

            [Usdt("/usr/bin/true", "p", "n")] static int U(long a, int b) { Sink.Update(0, a + b); return 0; }
            [Uprobe("/usr/bin/true", "main")] static int Up(PtRegs ctx) { Sink.Update(1, (long)ctx.Arg0); return 0; }
            [Uretprobe] static int Ret(long r) { Sink.Update(2, r); return 0; }
            [RawTracepoint("sys_enter")] static int Raw(RawTracepointContext ctx) { Sink.Update(3, (long)ctx.Arg1); return 0; }
            [PerfEvent] static int Pe(PerfEventContext ctx) { Sink.Update(4, (long)ctx.SamplePeriod); return 0; }
            [Tracepoint("syscalls", "sys_enter_openat")] static int Tp(ref readonly SysEnterOpenat r) { Sink.Update(5, (long)r.Flags); return 0; }
        }
        """;

    [Fact]
    public void Tracing_objects_are_byte_identical_across_compilations()
    {
        KernelEnvironment.Require(); // the record comes from this kernel's tracefs
        string record = TracepointRecordGenerator.FromTracefs("syscalls", "sys_enter_openat");
        byte[] first = TracingPrograms.Compile(Source, record);
        byte[] second = TracingPrograms.Compile(Source, record);
        Assert.Equal(first, second);
    }
}
