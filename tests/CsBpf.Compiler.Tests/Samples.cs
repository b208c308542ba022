namespace CsBpf.Compiler.Tests;

/// <summary>C# BPF sources shared by the compiler tests.</summary>
internal static class Samples
{
    public const string OpenCount = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;

        namespace Samples;

        [BpfProgram(License = "GPL")]
        public static partial class OpenCount
        {
            [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 10240);

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpenat(TracepointContext ctx)
            {
                uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                ref ulong n = ref Counts.GetValueRefOrNullRef(pid);
                if (Unsafe.IsNullRef(ref n)) Counts.Update(pid, 1);
                else Interlocked.Increment(ref n);
                return 0;
            }
        }
        """;
}
