using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsBpf;

// Reading memory the verifier cannot check: user-space memory of the current task and kernel
// memory, copied with page-fault protection (a bad address gives an error, never a crash).
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_probe_read_user</c> (helper 112, Linux 5.5): copies <c>sizeof(T)</c> bytes from the current task's
    /// user-space address <paramref name="source"/> into <paramref name="destination"/>. Returns 0, or a negative
    /// errno (-EFAULT for an unmapped address) with <paramref name="destination"/> zeroed. On the CLR the address
    /// is read in this process, with the same protection (<c>process_vm_readv</c>).
    /// </summary>
    [BpfHelper(112, AppendSizeOfRefArguments = true, GplOnly = true)]
    public static unsafe long ProbeReadUser<T>(out T destination, ulong source) where T : unmanaged
    {
        destination = default;
        return ReadSelf(new Span<byte>(Unsafe.AsPointer(ref destination), sizeof(T)), source);
    }

    /// <summary>
    /// <c>bpf_probe_read_user</c> (helper 112) into a span, e.g. over <c>stackalloc byte[64]</c> (its length must
    /// be a constant). Returns 0 or a negative errno with the span zeroed.
    /// </summary>
    [BpfHelper(112, GplOnly = true)]
    public static long ProbeReadUser(Span<byte> destination, ulong source) => ReadSelf(destination, source);

    /// <summary>
    /// <c>bpf_probe_read_user_str</c> (helper 114, Linux 5.5): copies the NUL-terminated string at user-space
    /// address <paramref name="source"/> into <paramref name="destination"/> (a byte buffer such as an
    /// <c>[InlineArray(N)]</c> struct), truncated to fit and always NUL-terminated. Returns the length copied
    /// including the NUL, or a negative errno with the buffer zeroed.
    /// </summary>
    [BpfHelper(114, AppendSizeOfRefArguments = true, GplOnly = true)]
    public static unsafe long ProbeReadUserStr<T>(out T destination, ulong source) where T : unmanaged
    {
        destination = default;
        return ReadSelfString(new Span<byte>(Unsafe.AsPointer(ref destination), sizeof(T)), source);
    }

    /// <summary><c>bpf_probe_read_user_str</c> (helper 114) into a span: returns the length including the NUL, or a negative errno.</summary>
    [BpfHelper(114, GplOnly = true)]
    public static long ProbeReadUserStr(Span<byte> destination, ulong source) => ReadSelfString(destination, source);

    /// <summary>
    /// <c>bpf_probe_read_kernel</c> (helper 113, Linux 5.5): copies <c>sizeof(T)</c> bytes from kernel address
    /// <paramref name="source"/> (e.g. a field of the <c>task_struct</c> from <see cref="GetCurrentTask"/>, or a
    /// pointer argument of a raw tracepoint). Returns 0 or a negative errno with the destination zeroed. On the
    /// CLR kernel memory is out of reach: -EFAULT.
    /// </summary>
    [BpfHelper(113, AppendSizeOfRefArguments = true, GplOnly = true)]
    public static long ProbeReadKernel<T>(out T destination, ulong source) where T : unmanaged
    {
        destination = default;
        return -Efault;
    }

    /// <summary><c>bpf_probe_read_kernel</c> (helper 113) into a span. On the CLR: -EFAULT.</summary>
    [BpfHelper(113, GplOnly = true)]
    public static long ProbeReadKernel(Span<byte> destination, ulong source)
    {
        destination.Clear();
        return -Efault;
    }

    /// <summary>
    /// <c>bpf_probe_read_kernel_str</c> (helper 115, Linux 5.5): copies the NUL-terminated string at kernel
    /// address <paramref name="source"/>, truncated and NUL-terminated. Returns the length including the NUL, or
    /// a negative errno. On the CLR: -EFAULT.
    /// </summary>
    [BpfHelper(115, AppendSizeOfRefArguments = true, GplOnly = true)]
    public static long ProbeReadKernelStr<T>(out T destination, ulong source) where T : unmanaged
    {
        destination = default;
        return -Efault;
    }

    /// <summary><c>bpf_probe_read_kernel_str</c> (helper 115) into a span. On the CLR: -EFAULT.</summary>
    [BpfHelper(115, GplOnly = true)]
    public static long ProbeReadKernelStr(Span<byte> destination, ulong source)
    {
        destination.Clear();
        return -Efault;
    }

    /// <summary>
    /// <c>bpf_probe_read</c> (helper 4, Linux 4.1): the original probe read, for either address space (x86-64 tells
    /// user from kernel addresses by value). Kept for programs ported from older tools; prefer
    /// <see cref="ProbeReadUser{T}(out T, ulong)"/> or <see cref="ProbeReadKernel{T}(out T, ulong)"/>, which say which
    /// memory they read and exist on every architecture. On the CLR: like <c>ProbeReadUser</c>.
    /// </summary>
    [BpfHelper(4, AppendSizeOfRefArguments = true, GplOnly = true, Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall)]
    public static unsafe long ProbeRead<T>(out T destination, ulong source) where T : unmanaged
    {
        destination = default;
        return ReadSelf(new Span<byte>(Unsafe.AsPointer(ref destination), sizeof(T)), source);
    }

    /// <summary>
    /// <c>bpf_probe_read_str</c> (helper 45, Linux 4.11): the original string read, for either address space;
    /// prefer <see cref="ProbeReadUserStr{T}(out T, ulong)"/> or <see cref="ProbeReadKernelStr{T}(out T, ulong)"/>.
    /// Returns the length including the NUL, or a negative errno. On the CLR: like <c>ProbeReadUserStr</c>.
    /// </summary>
    [BpfHelper(45, AppendSizeOfRefArguments = true, GplOnly = true, Programs = BpfProgramTypes.AllTracing | BpfProgramTypes.Syscall)]
    public static unsafe long ProbeReadStr<T>(out T destination, ulong source) where T : unmanaged
    {
        destination = default;
        return ReadSelfString(new Span<byte>(Unsafe.AsPointer(ref destination), sizeof(T)), source);
    }

    private const int Efault = 14;

    private static unsafe long ReadSelf(Span<byte> destination, ulong source)
    {
        fixed (byte* d = destination)
        {
            var local = new IoVec { Base = d, Length = (nuint)destination.Length };
            var remote = new IoVec { Base = (void*)source, Length = (nuint)destination.Length };
            if (destination.Length == 0 || process_vm_readv(Environment.ProcessId, &local, 1, &remote, 1, 0) == destination.Length) return 0;
        }
        destination.Clear();
        return -Efault;
    }

    private static long ReadSelfString(Span<byte> destination, ulong source)
    {
        if (destination.IsEmpty) return 0;
        for (int i = 0; i < destination.Length - 1; i++)
        {
            if (ReadSelf(destination.Slice(i, 1), source + (ulong)i) != 0)
            {
                destination.Clear();
                return -Efault;
            }
            if (destination[i] == 0) return i + 1;
        }
        destination[^1] = 0;
        return destination.Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint process_vm_readv(int pid, IoVec* local, ulong localCount, IoVec* remote, ulong remoteCount, ulong flags);
}
