using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// BPF_PROG_TEST_RUN for syscall programs: the context buffer goes in and the kernel copies it back out
/// (kernel/bpf/syscall.c bpf_prog_test_run_syscall). Issued as the raw bpf(2) command so the differential
/// tests depend only on a program fd.
/// </summary>
internal static unsafe partial class KernelTestRun
{
    private const long SysBpf = 321;       // x86-64
    private const int BpfProgTestRun = 10;  // BPF_PROG_TEST_RUN

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int command, void* attr, uint size);

    /// <summary>Runs the program once on <paramref name="context"/> (updated in place); returns its return value.</summary>
    public static uint Run(int programFd, Span<byte> context)
    {
        byte* attr = stackalloc byte[80];
        new Span<byte>(attr, 80).Clear();
        fixed (byte* ctx = context)
        {
            *(uint*)(attr + 0) = (uint)programFd;       // test.prog_fd
            *(uint*)(attr + 40) = (uint)context.Length; // test.ctx_size_in
            *(ulong*)(attr + 48) = (ulong)ctx;          // test.ctx_in
            if (Syscall(SysBpf, BpfProgTestRun, attr, 80) != 0)
                throw new InvalidOperationException($"BPF_PROG_TEST_RUN failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return *(uint*)(attr + 4); // test.retval
    }
}
