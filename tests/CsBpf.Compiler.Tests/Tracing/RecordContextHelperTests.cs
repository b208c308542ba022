using System.Runtime.InteropServices;
using CsBpf.Compiler.Tracepoints;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// A tracepoint program that takes its typed record passes it as the context to the helpers that need one
/// (<c>bpf_perf_event_output</c>, <c>bpf_get_stackid</c>) with <c>in record</c>: the record is the ctx pointer.
/// </summary>
public class RecordContextHelperTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class RecordHelpers
        {
            public struct Sample { public long Pid; public int Nr; public int StackId; }

            [Map] static readonly ArrayMap<uint> Target = new(maxEntries: 1);
            [Map] static readonly PerfEventArray Samples = new();
            [Map] static readonly StackTraceMap Stacks = new(maxEntries: 64);

            [Tracepoint("syscalls", "sys_enter_getpgid")]
            static int OnGetpgid(ref readonly SysEnterGetpgid record)
            {
                ref uint tid = ref Target.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref tid) || tid == 0 || tid != (uint)Bpf.GetCurrentPidTgid()) return 0;
                Sample s = default;
                s.Pid = (long)record.Pid;
                s.Nr = record.SyscallNr;
                s.StackId = (int)Stacks.GetStackId(in record, StackTraceFlags.None);
                Samples.Output(in record, in s);
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Sample
    {
        public long Pid;
        public int Nr;
        public int StackId;
    }

    [Fact]
    public void Perf_output_and_stack_ids_take_the_record_as_the_context()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "record_helpers", TracepointRecordGenerator.FromTracefs("syscalls", "sys_enter_getpgid"));
        obj.AttachAll();
        var samples = obj.GetPerfEventArray("Samples");
        var target = obj.GetArrayMap<uint>("Target");
        Native.RunOnThread("csbpf-recctx", tid =>
        {
            target[0] = (uint)tid;
            Native.getpgid(0x3eadbeef);
            target[0] = 0;
        });

        var seen = new List<Sample>();
        samples.Consume((_, bytes) => seen.Add(MemoryMarshal.Read<Sample>(bytes)));
        Sample s = Assert.Single(seen);
        Assert.Equal(0x3eadbeef, s.Pid);
        Assert.Equal(121, s.Nr); // __NR_getpgid on x86-64
        Assert.True(s.StackId >= 0, $"bpf_get_stackid returned {s.StackId}");
        Assert.Contains((uint)s.StackId, obj.GetStackTraceMap("Stacks").StackIds); // the kernel stack of the system call
    }
}
