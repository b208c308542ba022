using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// The glibc functions the runtime needs: formatting libbpf's printf-style logs, uid, mount, and the memory
/// mapping, epoll and eventfd calls behind the ring buffer reader and mmap-able maps. Functions that report
/// failure through <c>errno</c> are imported with <c>SetLastError = true</c>
/// (read it with <see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static unsafe partial class LibC
{
    // The real soname: "libc.so" is a linker script on glibc systems and cannot be dlopen'ed.
    private const string LibraryName = "libc.so.6";

    /// <summary><c>PROT_READ</c>.</summary>
    public const int ProtRead = 0x1;

    /// <summary><c>PROT_WRITE</c>.</summary>
    public const int ProtWrite = 0x2;

    /// <summary><c>MAP_SHARED</c>: writes go to the map's pages, which the kernel and BPF programs share.</summary>
    public const int MapShared = 0x01;

    /// <summary><c>EPOLLIN</c>.</summary>
    public const uint EpollIn = 0x001;

    /// <summary><c>EPOLLONESHOT</c>: the registration is disarmed after one event until re-armed with <c>EPOLL_CTL_MOD</c>.</summary>
    public const uint EpollOneShot = 1u << 30;

    /// <summary><c>EPOLL_CTL_ADD</c>, <c>EPOLL_CTL_DEL</c>, <c>EPOLL_CTL_MOD</c>.</summary>
    public const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCtlMod = 3;

    /// <summary><c>EPOLL_CLOEXEC</c> / <c>EFD_CLOEXEC</c> (both are <c>O_CLOEXEC</c>).</summary>
    public const int CloExec = 0x80000;

    /// <summary><c>EFD_NONBLOCK</c> (<c>O_NONBLOCK</c>).</summary>
    public const int NonBlock = 0x800;

    /// <summary><c>POLLIN</c> for <see cref="poll"/>.</summary>
    public const short PollIn = 0x001;

    /// <summary>
    /// The size of <c>struct epoll_event</c>: on x86-64 the kernel declares it <c>__attribute__((packed))</c>
    /// (4-byte events + 8-byte data = 12 bytes); other 64-bit ABIs pad it to 16.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary><c>vsnprintf(3)</c>. <paramref name="args"/> is a <c>va_list</c> as it arrives in a callback.</summary>
    [LibraryImport(LibraryName, EntryPoint = "vsnprintf")]
    internal static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);

    [LibraryImport(LibraryName, EntryPoint = "geteuid")]
    internal static partial uint geteuid();

    /// <summary><c>mount(2)</c>; returns -1 and sets errno on failure.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mount(string source, string target, string fileSystemType, nuint flags, nint data);

    /// <summary><c>mmap(2)</c>; returns <c>MAP_FAILED</c> (-1) and sets errno on failure.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(LibraryName, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int munmap(void* address, nuint length);

    /// <summary><c>F_DUPFD_CLOEXEC</c> for <see cref="fcntl"/>.</summary>
    public const int FDupFdCloExec = 1030;

    /// <summary>
    /// <c>fcntl(2)</c> with one int argument. It is variadic in C; on the LP64 Linux ABIs CsBpf supports (x86-64,
    /// arm64) an int passed to a variadic function travels exactly like a fixed int argument.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int fcntl(int fd, int command, int argument);

    /// <summary><c>O_RDONLY | O_DIRECTORY | O_CLOEXEC</c>: how a cgroup directory is opened for attaching.</summary>
    public const int OpenDirectoryReadOnly = 0x10000 | 0x80000;

    [LibraryImport(LibraryName, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    /// <summary><c>if_nametoindex(3)</c>: 0 (and errno) when there is no such interface.</summary>
    [LibraryImport(LibraryName, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint if_nametoindex(string name);

    [LibraryImport(LibraryName, EntryPoint = "close", SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(LibraryName, EntryPoint = "read", SetLastError = true)]
    internal static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(LibraryName, EntryPoint = "write", SetLastError = true)]
    internal static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport(LibraryName, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    /// <summary><paramref name="epollEvent"/> points to one <c>struct epoll_event</c> (<see cref="EpollEventSize"/> bytes).</summary>
    [LibraryImport(LibraryName, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int epoll_ctl(int epfd, int op, int fd, void* epollEvent);

    /// <summary><paramref name="events"/> holds <paramref name="maxEvents"/> entries of <see cref="EpollEventSize"/> bytes.</summary>
    [LibraryImport(LibraryName, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int epoll_wait(int epfd, void* events, int maxEvents, int timeout);

    [LibraryImport(LibraryName, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int eventfd(uint initialValue, int flags);

    /// <summary><c>poll(2)</c> on <paramref name="count"/> <c>struct pollfd</c> (int fd, short events, short revents).</summary>
    [LibraryImport(LibraryName, EntryPoint = "poll", SetLastError = true)]
    internal static partial int poll(void* fds, nuint count, int timeout);

    /// <summary>
    /// <c>statfs(2)</c> into a buffer of at least 120 bytes (<c>struct statfs</c> on LP64); its first field,
    /// <c>f_type</c>, is a <c>long</c> naming the filesystem (e.g. <c>BPF_FS_MAGIC</c>).
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statfs(string path, void* buffer);

    /// <summary><c>syscall(2)</c> with up to five integer or pointer arguments (variadic in C; integers and pointers travel alike on LP64).</summary>
    [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long syscall(long number, nint a1, nint a2, nint a3, nint a4, nint a5);

    /// <summary><c>ioctl(2)</c> with one integer argument.</summary>
    [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, nint argument);

    /// <summary><c>__NR_perf_event_open</c> for this architecture (x86-64: 298, arm64: 241).</summary>
    public static long PerfEventOpenSyscall => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 298,
        Architecture.Arm64 => 241,
        var other => throw new PlatformNotSupportedException($"perf_event_open's system call number is not known for {other}."),
    };

    /// <summary><c>PERF_EVENT_IOC_ENABLE</c> (<c>_IO('$', 0)</c>).</summary>
    public const nuint PerfEventIocEnable = 0x2400;

    /// <summary><c>PERF_FLAG_FD_CLOEXEC</c>.</summary>
    public const nint PerfFlagFdCloExec = 1 << 3;

    /// <summary>Writes one <c>struct epoll_event</c> (events + 64-bit user data) in this ABI's layout.</summary>
    internal static void WriteEpollEvent(byte* destination, uint events, ulong data)
    {
        *(uint*)destination = events;
        // x86-64: data follows at offset 4 (packed); elsewhere at offset 8 after padding.
        System.Runtime.CompilerServices.Unsafe.WriteUnaligned(destination + (EpollEventSize == 12 ? 4 : 8), data);
    }

    /// <summary>Reads the 64-bit user data of the <paramref name="index"/>th <c>struct epoll_event</c> of an array.</summary>
    internal static ulong ReadEpollData(byte* events, int index) =>
        System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ulong>(events + index * EpollEventSize + (EpollEventSize == 12 ? 4 : 8));
}
