using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// Raw tracepoints in C#: <c>sys_enter(struct pt_regs *regs, long id)</c> attached in this kernel. The test
/// thread calls getpgid(magic); the context form reads the syscall number from <c>ctx.Arg1</c> and the
/// argument from the kernel's pt_regs with <c>bpf_probe_read_kernel</c>; the typed form gets (regs, id) as
/// parameters.
/// </summary>
public class RawTracepointTests
{
    private const int GetpgidSyscall = 121; // x86-64

    private const string Source = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class RawSysEnter
        {
            public struct Seen { public ulong Count; public long Id; public ulong Di; public long ReadResult; }

            [Map] static readonly ArrayMap<uint> Target = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Seen> ByContext = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Seen> ByParameters = new(maxEntries: 1);

            [RawTracepoint("sys_enter")]
            static int OnEnter(RawTracepointContext ctx)
            {
                if (!IsTarget() || ctx.Arg1 != 121) return 0;
                ref Seen s = ref ByContext.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref s)) return 0;
                s.Count++;
                s.Id = (long)ctx.Arg1;
                s.ReadResult = Bpf.ProbeReadKernel(out s.Di, ctx.Arg0 + 112); // regs->di, the first argument
                return 0;
            }

            [RawTracepoint("sys_enter")]
            static int OnEnterTyped(nuint regs, long id)
            {
                if (!IsTarget() || id != 121) return 0;
                ref Seen s = ref ByParameters.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref s)) return 0;
                s.Count++;
                s.Id = id;
                s.ReadResult = Bpf.ProbeReadKernel(out s.Di, (ulong)regs + 112);
                return 0;
            }

            static bool IsTarget()
            {
                ref uint tid = ref Target.GetValueRefOrNullRef(0);
                return !Unsafe.IsNullRef(ref tid) && tid != 0 && tid == (uint)Bpf.GetCurrentPidTgid();
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Seen
    {
        public ulong Count;
        public long Id;
        public ulong Di;
        public long ReadResult;
    }

    [Fact]
    public void Sys_enter_gives_the_syscall_number_and_the_registers_in_both_forms()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "raw_sys_enter");
        Assert.Equal("raw_tracepoint/sys_enter", obj.GetProgram("OnEnter").SectionName);
        Assert.Equal(2, obj.AttachAll().Count);
        var target = obj.GetArrayMap<uint>("Target");
        const int magic = 0x3ead_beef;

        Native.RunOnThread("csbpf-rawtp", tid =>
        {
            target[0] = 0;
            Native.getpgid(magic); // warm up the P/Invoke stub before recording
            target[0] = (uint)tid;
            Native.getpgid(magic);
            Native.getpgid(magic);
            target[0] = 0;
        });

        foreach (string map in new[] { "ByContext", "ByParameters" })
        {
            Seen s = obj.GetArrayMap<Seen>(map)[0];
            Assert.Equal(2UL, s.Count);
            Assert.Equal(GetpgidSyscall, s.Id);
            Assert.Equal(0L, s.ReadResult);
            Assert.Equal((ulong)magic, s.Di);
        }
    }

    [Fact]
    public void Explicit_attach_to_a_missing_tracepoint_is_reported()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "raw_missing");
        var e = Assert.ThrowsAny<BpfAttachException>(() => obj.GetProgram("OnEnter").AttachRawTracepoint("no_such_tracepoint_csbpf"));
        Assert.Contains("no_such_tracepoint_csbpf", e.Message);
        using var link = obj.GetProgram("OnEnter").AttachRawTracepoint("sys_enter");
        Assert.Equal("raw_tracepoint sys_enter", link.Target);
    }
}
