using System.Runtime.InteropServices;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>libc calls the tracing tests use to trigger events from the test thread.</summary>
internal static unsafe partial class Native
{
    [LibraryImport("libc.so.6")]
    public static partial int gettid();

    [LibraryImport("libc.so.6")]
    public static partial int getpid();

    /// <summary>getpgid(2): a cheap syscall whose argument the raw tracepoint tests look for.</summary>
    [LibraryImport("libc.so.6", SetLastError = true)]
    public static partial int getpgid(int pid);

    [LibraryImport("libc.so.6", SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags, int mode);

    [LibraryImport("libc.so.6")]
    public static partial int close(int fd);

    [LibraryImport("libc.so.6")]
    public static partial int sched_getcpu();

    [LibraryImport("libc.so.6")]
    public static partial int sched_setaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc.so.6")]
    public static partial int sched_getaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc.so.6", SetLastError = true)]
    public static partial int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    public const int AtFdCwd = -100;

    /// <summary>Runs <paramref name="action"/> on a new thread pinned to <paramref name="cpu"/>, named
    /// <paramref name="name"/> (its kernel comm, via PR_SET_NAME); returns its tid.</summary>
    public static int RunOnThread(string name, Action<int> action, int cpu = -1)
    {
        int tid = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                tid = gettid();
                byte[] comm = System.Text.Encoding.ASCII.GetBytes(name + "\0");
                fixed (byte* c = comm) prctl(15 /* PR_SET_NAME */, (nint)c, 0, 0, 0);
                if (cpu >= 0)
                {
                    byte* mask = stackalloc byte[128];
                    new Span<byte>(mask, 128).Clear();
                    mask[cpu / 8] = (byte)(1 << (cpu % 8));
                    if (sched_setaffinity(0, 128, mask) != 0) throw new InvalidOperationException("sched_setaffinity failed");
                }
                action(tid);
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new AggregateException(failure);
        return tid;
    }
}
