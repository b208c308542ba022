namespace CsBpf;

/// <summary>
/// A syscall program (<c>BPF_PROG_TYPE_SYSCALL</c>, section <c>syscall</c>), run from user space through
/// <c>BPF_PROG_TEST_RUN</c>: its context is a buffer the caller passes in and gets back. The method must be
/// <c>static int M(ref T args)</c> with <c>T</c> an unmanaged struct: reads and writes of <c>args</c> are the
/// exchange with the caller.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.Syscall)]
public sealed class SyscallAttribute : Attribute
{
}
