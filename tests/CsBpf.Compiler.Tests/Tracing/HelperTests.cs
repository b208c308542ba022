using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// The tracing helpers observed in this kernel and compared with the CLR running the same C#: one method,
/// <c>Observe</c>, calls the task, clock, CPU and namespace helpers; the BPF program runs it on a raw
/// <c>sys_enter</c> of the test thread's getpgid(), and the CLR runs it on the same thread just before and
/// just after. Identity values must be equal, clocks between the two CLR readings.
/// </summary>
public class HelperTests
{
    private const int Getpgid = 121, Write = 1; // x86-64 syscall numbers

    internal const string Source = """
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;

        public struct Observation
        {
            public ulong NsDevice;
            public ulong NsInode;
            public ulong PidTgid;
            public ulong UidGid;
            public TaskComm Comm;
            public long CommResult;
            public ulong CgroupId;
            public ulong RootCgroupId;
            public ulong Level1CgroupId;
            public int NumaNode;
            public uint Cpu;
            public ulong MonotonicNs;
            public ulong BootNs;
            public ulong TaiNs;
            public ulong Jiffies;
            public uint Random0, Random1, Random2, Random3;
            public ulong Task;
            public nuint TaskBtf;
            public long NsResult;
            public PidNamespaceInfo Ns;
            public long TaskStackBytes;
            public ulong TaskFrame0;
        }

        public struct Block { public ulong A; public ulong B; public uint C; }

        public struct Reads
        {
            public ulong Count;
            public long Result;
            public Block Value;
            public long SpanResult;
            public ulong SpanFirst;
            public ulong SpanLast;
            public long BadResult;
            public Block Bad;
            public long LegacyResult;
            public Block Legacy;
            public long LegacyStrLength;
            public ulong LegacyStr;
        }

        [BpfProgram(License = "GPL")]
        public static partial class HelperProbe
        {
            [Map] static readonly ArrayMap<uint> Target = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Observation> Observed = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Reads> UserReads = new(maxEntries: 1);

            public static void Observe(ref Observation o)
            {
                o.PidTgid = Bpf.GetCurrentPidTgid();
                o.UidGid = Bpf.GetCurrentUidGid();
                o.CommResult = Bpf.GetCurrentComm(out o.Comm);
                o.CgroupId = Bpf.GetCurrentCgroupId();
                o.RootCgroupId = Bpf.GetCurrentAncestorCgroupId(0);
                o.Level1CgroupId = Bpf.GetCurrentAncestorCgroupId(1);
                o.NumaNode = Bpf.GetNumaNodeId();
                o.Cpu = Bpf.GetSmpProcessorId();
                o.MonotonicNs = Bpf.KtimeGetNs();
                o.BootNs = Bpf.KtimeGetBootNs();
                o.TaiNs = Bpf.KtimeGetTaiNs();
                o.Jiffies = Bpf.Jiffies64();
                o.Random0 = Bpf.GetPrandomU32();
                o.Random1 = Bpf.GetPrandomU32();
                o.Random2 = Bpf.GetPrandomU32();
                o.Random3 = Bpf.GetPrandomU32();
                o.Task = Bpf.GetCurrentTask();
                o.TaskBtf = Bpf.GetCurrentTaskBtf();
                o.NsResult = Bpf.GetNsCurrentPidTgid(o.NsDevice, o.NsInode, out o.Ns);
            }

            public static void Read(ref Reads r, ulong address)
            {
                r.Count++;
                r.Result = Bpf.ProbeReadUser(out r.Value, address);
                Span<byte> bytes = stackalloc byte[16];
                r.SpanResult = Bpf.ProbeReadUser(bytes, address);
                r.SpanFirst = bytes[0];
                r.SpanLast = bytes[15];
                r.BadResult = Bpf.ProbeReadUser(out r.Bad, 16);
                r.LegacyResult = Bpf.ProbeRead(out r.Legacy, address);
                r.LegacyStrLength = Bpf.ProbeReadStr(out r.LegacyStr, address);
            }

            [RawTracepoint("sys_enter")]
            static int OnEnter(RawTracepointContext ctx)
            {
                ref uint tid = ref Target.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref tid) || tid == 0 || tid != (uint)Bpf.GetCurrentPidTgid()) return 0;
                if (ctx.Arg1 == 121)
                {
                    ref Observation o = ref Observed.GetValueRefOrNullRef(0);
                    if (!Unsafe.IsNullRef(ref o))
                    {
                        Observe(ref o);
                        Span<ulong> frames = stackalloc ulong[4];
                        o.TaskStackBytes = Bpf.GetTaskStack(Bpf.GetCurrentTaskBtf(), frames, GetStackFlags.None);
                        o.TaskFrame0 = frames[0];
                    }
                }
                else if (ctx.Arg1 == 1)
                {
                    ulong buffer;
                    Bpf.ProbeReadKernel(out buffer, ctx.Arg0 + 104); // regs->si: write's buffer
                    ref Reads r = ref UserReads.GetValueRefOrNullRef(0);
                    if (!Unsafe.IsNullRef(ref r)) Read(ref r, buffer);
                }
                return 0;
            }
        }
        """;

    [Fact]
    public void Task_clock_cpu_and_namespace_helpers_agree_with_the_clr_on_the_same_thread()
    {
        KernelEnvironment.Require();
        var compilation = TestCompiler.CreateCompilation(Source);
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = "v3" });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var obj = BpfObject.Open(Assert.Single(result.Objects).Elf, "helper_probe");
        obj.Load();
        obj.AttachAll();

        Type observationType = EmitIl(compilation).GetType("Observation")!;
        MethodInfo observe = observationType.Assembly.GetType("HelperProbe")!.GetMethod("Observe")!;
        var (nsDevice, nsInode) = NamespaceIds();
        object Clr()
        {
            object o = Activator.CreateInstance(observationType)!;
            observationType.GetField("NsDevice")!.SetValue(o, nsDevice);
            observationType.GetField("NsInode")!.SetValue(o, nsInode);
            object[] args = [o];
            observe.Invoke(null, args);
            return args[0];
        }

        var target = obj.GetArrayMap<uint>("Target");
        var observed = obj.GetArrayMap<Observation>("Observed");
        observed[0] = new Observation { NsDevice = nsDevice, NsInode = nsInode };
        object before = null!, after = null!;
        int cpu = Native.sched_getcpu();
        Native.RunOnThread("csbpf-helpers", tid =>
        {
            Clr();
            Native.getpgid(0x3eadbeef);
            target[0] = (uint)tid;
            before = Clr();
            Native.getpgid(0x3eadbeef);
            after = Clr();
            target[0] = 0;
        }, cpu);

        Observation k = observed[0];
        ulong Field(object o, string name) => Convert.ToUInt64(observationType.GetField(name)!.GetValue(o) switch { nuint n => (ulong)n, var v => v });
        foreach (string name in new[] { "PidTgid", "UidGid", "CommResult", "CgroupId", "RootCgroupId", "Level1CgroupId", "NumaNode", "Cpu", "NsResult" })
            Assert.True(Field(before, name) == Field(after, name) && Field(after, name) == KernelField(k, name),
                $"{name}: CLR {Field(before, name)}/{Field(after, name)}, kernel {KernelField(k, name)}");
        Assert.Equal(observationType.GetField("Comm")!.GetValue(after)!.ToString(), k.Comm.ToString());
        Assert.Equal("csbpf-helpers", k.Comm.ToString());
        var ns = (PidNamespaceInfo)observationType.GetField("Ns")!.GetValue(after)!;
        Assert.Equal((ns.Pid, ns.Tgid), (k.Ns.Pid, k.Ns.Tgid));
        Assert.Equal((uint)Environment.ProcessId, k.Ns.Tgid);
        Assert.Equal(1UL, k.RootCgroupId); // the root cgroup's id

        foreach (string clock in new[] { "MonotonicNs", "BootNs", "TaiNs", "Jiffies" })
            Assert.True(Field(before, clock) <= KernelField(k, clock) && KernelField(k, clock) <= Field(after, clock),
                $"{clock}: kernel {KernelField(k, clock)} not within the CLR's {Field(before, clock)}..{Field(after, clock)}");
        Assert.False(k.Random0 == k.Random1 && k.Random1 == k.Random2 && k.Random2 == k.Random3, "four equal random numbers");
        Assert.True(k.Task >= 0xffff_8000_0000_0000UL, $"current task 0x{k.Task:x} is not a kernel address");
        Assert.Equal(k.Task, (ulong)k.TaskBtf);
        Assert.True(k.TaskStackBytes > 0 && k.TaskStackBytes % 8 == 0, $"bpf_get_task_stack returned {k.TaskStackBytes}");
        Assert.True(k.TaskFrame0 >= 0xffff_ffff_8000_0000UL, $"innermost frame 0x{k.TaskFrame0:x} is not kernel text");
    }

    [Fact]
    public unsafe void Probe_read_user_copies_the_callers_buffer_like_the_clr_and_faults_cleanly()
    {
        KernelEnvironment.Require();
        var compilation = TestCompiler.CreateCompilation(Source);
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = "v3" });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var obj = BpfObject.Open(Assert.Single(result.Objects).Elf, "helper_reads");
        obj.Load();
        obj.AttachAll();
        var target = obj.GetArrayMap<uint>("Target");

        byte* buffer = (byte*)NativeMemory.Alloc(32);
        try
        {
            for (int i = 0; i < 32; i++) buffer[i] = (byte)(0xA0 + i);
            Native.RunOnThread("csbpf-reads", tid =>
            {
                write(-1, buffer, 20); // warm up
                target[0] = (uint)tid;
                write(-1, buffer, 20); // EBADF: only the sys_enter matters
                target[0] = 0;
            });
            Reads k = obj.GetArrayMap<Reads>("UserReads")[0];

            Type readsType = EmitIl(compilation).GetType("Reads")!;
            object clr = Activator.CreateInstance(readsType)!;
            object[] args = [clr, (ulong)buffer];
            readsType.Assembly.GetType("HelperProbe")!.GetMethod("Read")!.Invoke(null, args);
            var clrReads = MemoryMarshal.Read<Reads>(Bytes(args[0]));

            Assert.Equal(1UL, k.Count);
            Assert.Equal(0L, k.Result);
            Assert.Equal(*(Block*)buffer, k.Value);
            Assert.Equal(0L, k.SpanResult);
            Assert.Equal(((ulong)buffer[0], (ulong)buffer[15]), (k.SpanFirst, k.SpanLast));
            Assert.Equal(-14L, k.BadResult); // EFAULT, destination zeroed
            Assert.Equal(default, k.Bad);
            Assert.Equal(0L, k.LegacyResult);
            Assert.Equal(k.Value, k.Legacy);
            Assert.Equal(8L, k.LegacyStrLength); // no NUL in the buffer: 7 bytes and the NUL
            Assert.Equal(*(ulong*)buffer & 0x00ff_ffff_ffff_ffffUL, k.LegacyStr);
            Assert.Equal(clrReads, k);
        }
        finally { NativeMemory.Free(buffer); }
    }

    [Fact]
    public void Ktime_get_coarse_ns_is_the_coarse_monotonic_clock()
    {
        KernelEnvironment.Require();
        // A network program type offers it (tracing types do not): an XDP program returning coarse_ns >> 20.
        ulong[] code =
        [
            0x85UL | (160UL << 32), // call bpf_ktime_get_coarse_ns
            0x77UL | (20UL << 32),  // r0 >>= 20
            0x95UL,                 // exit
        ];
        int fd = KernelHelperProbe.LoadProgram(6 /* XDP */, code);
        try
        {
            ulong before = ClockNs(6) >> 20;
            uint value = KernelHelperProbe.TestRunXdp(fd);
            ulong after = ClockNs(6) >> 20;
            Assert.True((uint)before <= value && value <= (uint)after, $"coarse clock {value} not within {before}..{after} (CLOCK_MONOTONIC_COARSE >> 20)");
            ulong clrBefore = ClockNs(6), clr = Bpf.KtimeGetCoarseNs(), clrAfter = ClockNs(6);
            Assert.True(clrBefore <= clr && clr <= clrAfter, "the CLR body is not CLOCK_MONOTONIC_COARSE");
        }
        finally { Native.close(fd); }
    }

    private static ulong KernelField(Observation k, string name) => name switch
    {
        "PidTgid" => k.PidTgid, "UidGid" => k.UidGid, "CommResult" => (ulong)k.CommResult, "CgroupId" => k.CgroupId,
        "RootCgroupId" => k.RootCgroupId, "Level1CgroupId" => k.Level1CgroupId, "NumaNode" => (ulong)k.NumaNode,
        "Cpu" => k.Cpu, "NsResult" => (ulong)k.NsResult, "MonotonicNs" => k.MonotonicNs, "BootNs" => k.BootNs,
        "TaiNs" => k.TaiNs, "Jiffies" => k.Jiffies,
        _ => throw new ArgumentException(name),
    };

    private static unsafe (ulong Device, ulong Inode) NamespaceIds()
    {
        byte* statx = stackalloc byte[256];
        Assert.Equal(0, Native.statx(-100, "/proc/self/ns/pid", 0, 0x100, statx));
        uint major = *(uint*)(statx + 0x88), minor = *(uint*)(statx + 0x8c);
        return ((minor & 0xff) | (major << 8) | ((ulong)(minor & ~0xffu) << 12), *(ulong*)(statx + 0x20));
    }

    private static Assembly EmitIl(Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        return new AssemblyLoadContext("helpers-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }

    private static unsafe byte[] Bytes(object boxed)
    {
        int size = Marshal.SizeOf(boxed.GetType());
        byte[] bytes = new byte[size];
        fixed (byte* p = bytes) Marshal.StructureToPtr(boxed, (nint)p, false);
        return bytes;
    }

    private static unsafe ulong ClockNs(int clock)
    {
        long* ts = stackalloc long[2];
        clock_gettime(clock, ts);
        return (ulong)(ts[0] * 1_000_000_000L + ts[1]);
    }

    [DllImport("libc")]
    private static extern unsafe int clock_gettime(int clock, long* ts);

    [DllImport("libc")]
    private static extern unsafe nint write(int fd, byte* buffer, nuint count);

    [StructLayout(LayoutKind.Sequential)]
    private struct Observation
    {
        public ulong NsDevice;
        public ulong NsInode;
        public ulong PidTgid;
        public ulong UidGid;
        public TaskComm Comm;
        public long CommResult;
        public ulong CgroupId;
        public ulong RootCgroupId;
        public ulong Level1CgroupId;
        public int NumaNode;
        public uint Cpu;
        public ulong MonotonicNs;
        public ulong BootNs;
        public ulong TaiNs;
        public ulong Jiffies;
        public uint Random0, Random1, Random2, Random3;
        public ulong Task;
        public nuint TaskBtf;
        public long NsResult;
        public PidNamespaceInfo Ns;
        public long TaskStackBytes;
        public ulong TaskFrame0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct Block(ulong A, ulong B, uint C);

    [StructLayout(LayoutKind.Sequential)]
    private record struct Reads(ulong Count, long Result, Block Value, long SpanResult, ulong SpanFirst, ulong SpanLast, long BadResult, Block Bad,
        long LegacyResult, Block Legacy, long LegacyStrLength, ulong LegacyStr);
}
