using System.Runtime.InteropServices;
using CsBpf.Runtime;

namespace CsBpf.Guest.Tests;

/// <summary>Which build of a test program to load: the csbpfc-compiled C# class or its clang-19 C twin.</summary>
public enum ProgramSource
{
    /// <summary>The C# program (Programs/*.cs), compiled by csbpfc and embedded in this assembly.</summary>
    CSharp,
    /// <summary>The C fixture (Fixtures/*.bpf.c), compiled by clang-19 into fixtures/ beside this assembly.</summary>
    C,
}

/// <summary>Opens the test programs and makes the system calls they observe.</summary>
internal static partial class GuestPrograms
{
    /// <summary>Where the build put the compiled C fixtures.</summary>
    public static string FixturesDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>Opens (not loads) the C# class <paramref name="program"/> or the C fixture <paramref name="fixture"/>.</summary>
    public static BpfObject Open(ProgramSource source, Type program, string fixture) => source switch
    {
        // The CsBpf build embeds each object as <Class.Full.Name>.bpf.o (what the generated loader reads).
        ProgramSource.CSharp => BpfObject.OpenEmbedded(program.Assembly, program.FullName + ".bpf.o"),
        _ => BpfObject.Open(File.ReadAllBytes(Path.Combine(FixturesDirectory, fixture + ".o")), fixture),
    };

    public const int AtFdCwd = -100;
    public const int ORdOnly = 0;
    public const int EPERM = 1;

    /// <summary>The calling thread's kernel thread id: what the programs compare with pid_tgid's low half.</summary>
    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAtNative(int dirfd, nint path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>
    /// openat(2) straight through libc, with a caller-owned path buffer so the test knows the exact user
    /// pointer the kernel function receives. Returns the fd, or -errno.
    /// </summary>
    public static int OpenAt(int dirfd, nint path, int flags)
    {
        var fd = OpenAtNative(dirfd, path, flags, 0);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>A NUL-terminated copy of <paramref name="path"/> in native memory (free with <see cref="Marshal.FreeCoTaskMem"/>).</summary>
    public static nint NativePath(string path) => Marshal.StringToCoTaskMemUTF8(path);
}
