using System.Runtime.InteropServices;

namespace CsBpf;

// Signals to the current task.
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_send_signal</c> (helper 109, Linux 5.3): sends signal <paramref name="signal"/> (e.g. 10 for
    /// SIGUSR1, 9 for SIGKILL) to the current process, delivered when it returns to user space. Returns 0, or a
    /// negative errno (-EPERM for a kernel thread or a process the program may not signal, -EBUSY when the
    /// kernel is in a context where it cannot queue it).
    /// </summary>
    [BpfHelper(109)]
    public static long SendSignal(uint signal) => kill(Environment.ProcessId, (int)signal) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    /// <summary>
    /// <c>bpf_send_signal_thread</c> (helper 117, Linux 5.5): like <see cref="SendSignal"/> but to the current
    /// thread only.
    /// </summary>
    [BpfHelper(117)]
    public static long SendSignalThread(uint signal) => tgkill(Environment.ProcessId, gettid(), (int)signal) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int tgkill(int tgid, int tid, int signal);
}
