using System.Runtime.InteropServices;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// Helpers that act on the probed process, observed through the C program of <see cref="UprobeTarget"/>:
/// bpf_send_signal and bpf_send_signal_thread deliver SIGUSR1 to it (its handler reports the signal), and
/// bpf_get_stack with BPF_F_USER_STACK returns its user stack, innermost frame first: the probed function,
/// then the return address in main. bpf_get_func_ip gives the probed address.
/// </summary>
public sealed class ProbeHelperTests : IDisposable
{
    private readonly UprobeTarget _target = new();

    public void Dispose() => _target.Dispose();

    private string Source(string body) => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class ProbeHelpers
        {
            public struct Seen { public long Result; public long StackBytes; public ulong Frame0; public ulong Frame1; public ulong FuncIp; public long KernelStackBytes; }

            [Map] static readonly ArrayMap<Seen> Last = new(maxEntries: 1);

            [Uprobe("{{_target.BinaryPath}}", "{{UprobeTarget.Function}}")]
            static int OnCall(PtRegs ctx)
            {
                ref Seen s = ref Last.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref s)) return 0;
                {{body}}
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Seen
    {
        public long Result;
        public long StackBytes;
        public ulong Frame0;
        public ulong Frame1;
        public ulong FuncIp;
        public long KernelStackBytes;
    }

    [Theory]
    [InlineData("SendSignal")]
    [InlineData("SendSignalThread")]
    public void Send_signal_delivers_the_signal_to_the_probed_process(string helper)
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source($"if ((long)ctx.Arg0 == 41) s.Result = Bpf.{helper}(10); // SIGUSR1"), "send_signal");
        obj.AttachAll();
        string output = _target.Run(calls: 3, "x");
        Assert.Equal(0L, obj.GetArrayMap<Seen>("Last")[0].Result);
        Assert.EndsWith("signal 10", output);
    }

    [Fact]
    public void Get_stack_returns_the_user_stack_innermost_first_and_get_func_ip_the_probed_function()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source("""
                Span<ulong> frames = stackalloc ulong[4];
                s.StackBytes = Bpf.GetStack(ctx, frames, GetStackFlags.UserStack);
                s.Frame0 = frames[0];
                s.Frame1 = frames[1];
                s.FuncIp = Bpf.GetFuncIp(ctx);
                Span<ulong> kernel = stackalloc ulong[4];
                s.KernelStackBytes = Bpf.GetStack(ctx, kernel, GetStackFlags.None);
            """), "get_stack");
        obj.AttachAll();
        _target.Run(calls: 1, "x");

        Seen s = obj.GetArrayMap<Seen>("Last")[0];
        Assert.True(s.StackBytes >= 16 && s.StackBytes % 8 == 0, $"get_stack returned {s.StackBytes}");
        Assert.Equal(_target.FunctionAddress, s.Frame0);
        var (main, mainSize) = _target.Symbol("main");
        Assert.True(s.Frame1 > main && s.Frame1 < main + mainSize, $"second frame 0x{s.Frame1:x} is not a return address in main (0x{main:x}+{mainSize})");
        Assert.Equal(_target.FunctionAddress, s.FuncIp);
        Assert.True(s.KernelStackBytes >= 0, $"kernel stack of a uprobe: {s.KernelStackBytes}");
    }
}
