using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

public class SmokeTests
{
    [Theory]
    [InlineData("LpmTrieMap<uint, ulong>", "new(maxEntries: 16)", "LpmKey<uint> k = default; M.Update(k, 1);")]
    [InlineData("QueueMap<ulong>", "new(maxEntries: 16)", "M.Push(1);")]
    [InlineData("StackMap<ulong>", "new(maxEntries: 16)", "M.Push(1);")]
    [InlineData("PerCpuHashMap<uint, ulong>", "new(maxEntries: 16)", "M.Update(1, 1);")]
    [InlineData("LruHashMap<uint, ulong>", "new(maxEntries: 16)", "M.Update(1, 1);")]
    [InlineData("PerfEventArray", "new()", "M.Output(ref a, a.Key);")]
    [InlineData("StackTraceMap", "new(maxEntries: 16)", "M.GetStackId(ref a);")]
    [InlineData("ProgramArray", "new(maxEntries: 16)", "M.TailCall(ref a, 0);")]
    [InlineData("ArrayOfMaps<ArrayMap<ulong>>", "new(maxEntries: 4, inner: new(maxEntries: 8))", "if (M.TryGetMap(0, out var i)) i.Update(0, 1);")]
    [InlineData("RingBuffer", "new(sizeBytes: 4096)", "M.Output(a.Key);")]
    public void Syscall_program_may_use(string type, string init, string use)
    {
        KernelEnvironment.Require();
        using var obj = MapPrograms.Open($$"""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                public struct Args { public uint Key; }
                [Map] static readonly {{type}} M = {{init}};
                [Map] static readonly ArrayMap<ulong> Use = new(maxEntries: 1);
                [Syscall]
                static int Run(ref Args a) { {{use}} return 0; }
            }
            """);
        obj.Load();
    }
}
