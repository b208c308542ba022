namespace CsBpf.Analyzers.Tests.Generators;

/// <summary>Input programs shared by the generator tests.</summary>
internal static class Samples
{
    public const string OpenCount =
        """
        using CsBpf;

        namespace Samples;

        [BpfProgram(License = "GPL")]
        public static partial class OpenCount
        {
            [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 10240);
            [Map] static readonly ArrayMap<long> Totals = new(1);

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpenat(TracepointContext ctx)
            {
                uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                ref ulong count = ref Counts.GetValueRefOrNullRef(pid);
                if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
                    Counts.Update(pid, 1);
                else
                    count++;
                return 0;
            }
        }
        """;
}
