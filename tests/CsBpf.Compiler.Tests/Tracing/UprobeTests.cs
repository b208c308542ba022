using System.Runtime.InteropServices;
using System.Text;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// Uprobes and uretprobes written in C#, attached in this kernel to a function of a C program built at test
/// time: the context form reads the arguments and the instruction pointer from <c>PtRegs</c> and the string
/// argument with <c>bpf_probe_read_user_str</c>; the typed form gets the arguments as parameters; explicit
/// attachment filters by pid and passes a cookie.
/// </summary>
public sealed class UprobeTests : IDisposable
{
    private readonly UprobeTarget _target = new();

    public void Dispose() => _target.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct Hit
    {
        public ulong Entries;
        public long A;
        public long C;
        public ulong Text;
        public ulong Ip;
        public ulong Cookie;
        public ulong Returns;
        public long Ret;
        public long TextLength;
        public Text32 TextBytes;
    }

    [System.Runtime.CompilerServices.InlineArray(32)]
    private struct Text32 { private byte _e; }

    private const string HitDeclarations = """
            public struct Hit
            {
                public ulong Entries;
                public long A;
                public long C;
                public ulong Text;
                public ulong Ip;
                public ulong Cookie;
                public ulong Returns;
                public long Ret;
                public long TextLength;
                public Text32 TextBytes;
            }

            [InlineArray(32)] public struct Text32 { private byte _e; }

            [Map] static readonly ArrayMap<Hit> Hits = new(maxEntries: 1);
        """;

    private string AutoAttachSource => $$"""
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class UprobeAuto
        {
        {{HitDeclarations}}

            [Uprobe("{{_target.BinaryPath}}", "{{UprobeTarget.Function}}")]
            static int OnEntry(PtRegs ctx)
            {
                ref Hit h = ref Hits.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref h)) return 0;
                Interlocked.Increment(ref h.Entries);
                h.A = (long)ctx.Arg0;
                h.Text = ctx.Arg1;
                h.C = (long)ctx.Arg2;
                h.Ip = ctx.InstructionPointer;
                h.Cookie = Bpf.GetAttachCookie(ctx);
                h.TextLength = Bpf.ProbeReadUserStr(out h.TextBytes, ctx.Arg1);
                return 0;
            }

            [Uretprobe("{{_target.BinaryPath}}", "{{UprobeTarget.Function}}")]
            static int OnReturn(long ret)
            {
                ref Hit h = ref Hits.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref h)) return 0;
                Interlocked.Increment(ref h.Returns);
                h.Ret = ret;
                return 0;
            }
        }
        """;

    [Fact]
    public void AttachAll_probes_every_process_entry_and_return_with_arguments_ip_and_string()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(AutoAttachSource, "uprobe_auto");
        Assert.Equal($"uprobe/{_target.BinaryPath}:{UprobeTarget.Function}", obj.GetProgram("OnEntry").SectionName);
        Assert.Equal(2, obj.AttachAll().Count);

        string output = _target.Run(calls: 3, "hello");

        Hit h = obj.GetArrayMap<Hit>("Hits")[0];
        Assert.Equal(3UL, h.Entries);
        Assert.Equal(42L, h.A);
        Assert.Equal(7L, h.C);
        Assert.Equal(_target.FunctionAddress, h.Ip);
        Assert.Equal(0UL, h.Cookie);
        Assert.Equal(6L, h.TextLength); // "hello" and its NUL
        Assert.Equal("hello\0", Encoding.ASCII.GetString(((ReadOnlySpan<byte>)h.TextBytes)[..6]));
        Assert.NotEqual(0UL, h.Text);
        Assert.Equal(3UL, h.Returns);
        Assert.Equal(UprobeTarget.Expected(42, "hello"), h.Ret);
        Assert.Equal($"sum {UprobeTarget.Expected(40, "hello") + UprobeTarget.Expected(41, "hello") + UprobeTarget.Expected(42, "hello")} signal 0", output);
    }

    private const string ExplicitSource = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class UprobeExplicit
        {
            public struct Seen { public ulong Calls; public long LastA; public long LastC; public ulong Cookie; }

            [Map] static readonly HashMap<uint, Seen> ByProcess = new(maxEntries: 64);

            [Uprobe]
            static int Typed(long a, nuint text, long c) => Record(a, c, 0);

            [Uprobe]
            static int WithCookie(PtRegs ctx) => Record((long)ctx.Arg0, (long)ctx.Arg2, Bpf.GetAttachCookie(ctx) + 1_000_000);

            static int Record(long a, long c, ulong cookie)
            {
                uint tgid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                ref Seen s = ref ByProcess.GetValueRefOrNullRef(tgid);
                if (Unsafe.IsNullRef(ref s))
                {
                    Seen fresh = default;
                    fresh.Calls = 1;
                    fresh.LastA = a;
                    fresh.LastC = c;
                    fresh.Cookie = cookie;
                    ByProcess.Update(tgid, fresh);
                    return 0;
                }
                Interlocked.Increment(ref s.Calls);
                s.LastA = a;
                s.LastC = c;
                s.Cookie = cookie;
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Seen
    {
        public ulong Calls;
        public long LastA;
        public long LastC;
        public ulong Cookie;
    }

    [Fact]
    public void Explicit_attach_probes_only_the_given_process_and_passes_the_cookie()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(ExplicitSource, "uprobe_explicit");
        Assert.Equal("uprobe", obj.GetProgram("Typed").SectionName);
        using var first = _target.Start(calls: 2, "ab");
        using var second = _target.Start(calls: 5, "abc");
        using var third = _target.Start(calls: 4, "abcd");

        using var typed = obj.GetProgram("Typed").AttachUprobe(_target.BinaryPath, UprobeTarget.Function, pid: first.Id);
        using var cookie = obj.GetProgram("WithCookie").AttachUprobe(_target.BinaryPath, UprobeTarget.Function, pid: second.Id, cookie: 0xC0FFEE);
        UprobeTarget.Finish(first);
        UprobeTarget.Finish(second);
        UprobeTarget.Finish(third);

        var seen = obj.GetHashMap<uint, Seen>("ByProcess");
        Assert.True(seen.TryGetValue((uint)first.Id, out Seen a), "the typed uprobe did not see its process");
        Assert.Equal(2UL, a.Calls);
        Assert.Equal(41L, a.LastA);
        Assert.Equal(7L, a.LastC);
        Assert.Equal(0UL, a.Cookie);
        Assert.True(seen.TryGetValue((uint)second.Id, out Seen b), "the context uprobe did not see its process");
        Assert.Equal(5UL, b.Calls);
        Assert.Equal(44L, b.LastA);
        Assert.Equal(1_000_000UL + 0xC0FFEE, b.Cookie);
        Assert.False(seen.TryGetValue((uint)third.Id, out _), "a process no probe was attached to was recorded");
    }

    [Fact]
    public void Attaching_to_a_missing_binary_or_symbol_names_the_target()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(ExplicitSource, "uprobe_missing");
        var program = obj.GetProgram("Typed");
        var missingBinary = Assert.Throws<BpfAttachTargetNotFoundException>(() => program.AttachUprobe(_target.BinaryPath + ".gone", UprobeTarget.Function));
        Assert.Contains(".gone", missingBinary.Message);
        var missingSymbol = Assert.ThrowsAny<BpfAttachException>(() => program.AttachUprobe(_target.BinaryPath, "no_such_function"));
        Assert.Contains("no_such_function", missingSymbol.Message);
        Assert.Throws<InvalidOperationException>(() => program.AttachUprobe(pid: 1));
    }
}
