using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>Queue (FIFO) and stack (LIFO) maps: BPF pushes and the host pops, the host pushes and BPF pops, full and
/// empty behave as on the CLR.</summary>
public sealed class QueueStackTests : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Op;
        public uint Flags;
        public ulong Value;
        public ulong Out;
    }

    private const string Members = """
        public struct Args { public uint Op; public uint Flags; public ulong Value; public ulong Out; }

        [Map] static readonly QueueMap<ulong> Fifo = new(maxEntries: 4);
        [Map] static readonly StackMap<ulong> Lifo = new(maxEntries: 4);

        static long Body(ref Args a)
        {
            switch (a.Op)
            {
                case 0: return Fifo.Push(a.Value, (MapUpdateFlags)a.Flags);
                case 1: return Fifo.TryPop(out a.Out) ? 0 : -2;
                case 2: return Fifo.TryPeek(out a.Out) ? 0 : -2;
                case 3: return Lifo.Push(a.Value, (MapUpdateFlags)a.Flags);
                case 4: return Lifo.TryPop(out a.Out) ? 0 : -2;
                case 5: return Lifo.TryPeek(out a.Out) ? 0 : -2;
                default: return -22;
            }
        }
        """;

    private readonly MapHarness<Args> _harness;

    public QueueStackTests()
    {
        KernelEnvironment.Require();
        _harness = MapHarness<Args>.Syscall(Members, "queuestack");
    }

    public void Dispose() => _harness.Dispose();

    private long Run(uint op, ulong value, out ulong output, uint flags = 0)
    {
        var a = new Args { Op = op, Value = value, Flags = flags, Out = 0xDEAD };
        long r = _harness.Run(ref a);
        output = a.Out;
        return r;
    }

    [Fact]
    public void Queue_BPF_pushes_the_host_dequeues_in_order_and_vice_versa()
    {
        var queue = _harness.Object.GetQueueMap<ulong>("Fifo");
        Assert.Equal(4, queue.Capacity);
        foreach (ulong v in new ulong[] { 10, 20, 30 }) Assert.Equal(0, Run(0, v, out _));
        Assert.True(queue.TryPeek(out ulong head));
        Assert.Equal(10UL, head);
        Assert.Equal(new ulong[] { 10, 20, 30 }, queue.DequeueAll());
        Assert.False(queue.TryDequeue(out ulong none));
        Assert.Equal(0UL, none);

        queue.Enqueue(7);
        queue.Enqueue(8);
        Assert.Equal(0, Run(2, 0, out ulong peeked));
        Assert.Equal(7UL, peeked);
        Assert.Equal(0, Run(1, 0, out ulong first));
        Assert.Equal(0, Run(1, 0, out ulong second));
        Assert.Equal((7UL, 8UL), (first, second));
        Assert.Equal(-2, Run(1, 0, out ulong empty));
        Assert.Equal(0UL, empty); // the kernel zeroes the value of an empty pop: C#'s default
    }

    [Fact]
    public void Stack_BPF_pushes_the_host_pops_newest_first_and_vice_versa()
    {
        var stack = _harness.Object.GetStackMap<ulong>("Lifo");
        foreach (ulong v in new ulong[] { 1, 2, 3 }) Assert.Equal(0, Run(3, v, out _));
        Assert.Equal(new ulong[] { 3, 2, 1 }, stack.PopAll());

        stack.Push(40);
        stack.Push(50);
        Assert.Equal(0, Run(5, 0, out ulong top));
        Assert.Equal(50UL, top);
        Assert.Equal(0, Run(4, 0, out ulong a));
        Assert.Equal(0, Run(4, 0, out ulong b));
        Assert.Equal((50UL, 40UL), (a, b));
        Assert.Equal(-2, Run(4, 0, out _));
    }

    [Fact]
    public void Full_maps_refuse_or_drop_the_oldest_and_the_host_sees_the_result()
    {
        var queue = _harness.Object.GetQueueMap<ulong>("Fifo");
        for (ulong v = 1; v <= 4; v++) Assert.Equal(0, Run(0, v, out _));
        Assert.Equal(-7, Run(0, 5, out _)); // -E2BIG
        Assert.Equal(0, Run(0, 6, out _, flags: 2)); // BPF_EXIST: drop the oldest
        Assert.Equal(new ulong[] { 2, 3, 4, 6 }, queue.DequeueAll());
        Assert.Equal(-22, Run(0, 1, out _, flags: 1)); // BPF_NOEXIST is not a push flag

        var stack = _harness.Object.GetStackMap<ulong>("Lifo");
        for (ulong v = 1; v <= 4; v++) stack.Push(v);
        var error = Assert.Throws<BpfException>(() => stack.Push(5));
        Assert.Equal(7, error.Errno);
        stack.Push(5, dropOldestWhenFull: true);
        Assert.Equal(0, Run(4, 0, out ulong top));
        Assert.Equal(5UL, top);
        Assert.Equal(new ulong[] { 4, 3, 2 }, stack.PopAll()); // 1, the oldest, was dropped
    }

    [Fact]
    public void The_CLR_models_match_the_kernel()
    {
        var steps = new (uint Op, ulong Value, uint Flags)[]
        {
            (1, 0, 0), (0, 1, 0), (0, 2, 0), (2, 0, 0), (0, 3, 0), (0, 4, 0), (0, 5, 0), (0, 6, 2), (0, 7, 1), (1, 0, 0), (1, 0, 0),
            (3, 1, 0), (3, 2, 0), (5, 0, 0), (3, 3, 0), (3, 4, 0), (3, 5, 0), (3, 6, 2), (4, 0, 0), (4, 0, 0), (4, 0, 0), (4, 0, 0), (4, 0, 0),
            (1, 0, 0), (1, 0, 0), (1, 0, 0), (9, 0, 0),
        };
        foreach (var (op, value, flags) in steps)
        {
            var kernel = new Args { Op = op, Value = value, Flags = flags, Out = 0xDEAD };
            var clr = kernel;
            long kr = _harness.Run(ref kernel);
            long cr = _harness.RunOnClr(ref clr);
            Assert.True(kr == cr && kernel.Equals(clr), $"op {op} value {value} flags {flags}: kernel {kr}/{kernel.Out}, CLR {cr}/{clr.Out}");
        }
    }
}
