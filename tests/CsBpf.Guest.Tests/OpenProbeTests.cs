using System.Runtime.InteropServices;
using CsBpf.Guest.Tests.Programs;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Guest.Tests;

/// <summary>
/// kprobe/kretprobe and fentry/fexit on do_sys_openat2, attached in the guest kernel: the test thread opens a
/// file with openat(AT_FDCWD, path) and the programs must have seen dfd = AT_FDCWD, the exact path pointer,
/// and the fd openat returned. Each test runs the C# program and its C twin.
/// </summary>
public sealed class OpenProbeTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"csbpf-guest-{Guid.NewGuid():N}");

    public OpenProbeTests() => File.WriteAllText(_file, "probe me");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData(ProgramSource.CSharp)]
    [InlineData(ProgramSource.C)]
    public void Kprobe_sees_the_arguments_and_kretprobe_the_returned_fd(ProgramSource source)
    {
        KernelEnvironment.Require();
        using var obj = GuestPrograms.Open(source, typeof(OpenProbes), "kprobe_open.bpf");
        var (e, fd, path) = OpenOnce(obj);

        Assert.Equal(1UL, e.Entries);
        Assert.Equal(GuestPrograms.AtFdCwd, e.Dfd);
        Assert.Equal((ulong)path, e.Filename);
        Assert.Equal(1UL, e.Returns);
        Assert.Equal(fd, e.Ret);
    }

    [Theory]
    [InlineData(ProgramSource.CSharp)]
    [InlineData(ProgramSource.C)]
    public void Fentry_and_fexit_see_typed_arguments_and_the_return_value(ProgramSource source)
    {
        KernelEnvironment.Require();
        using var obj = GuestPrograms.Open(source, typeof(OpenTracing), "fentry_open.bpf");
        var (e, fd, path) = OpenOnce(obj);

        Assert.Equal(1UL, e.Entries);
        Assert.Equal(GuestPrograms.AtFdCwd, e.Dfd);
        Assert.Equal((ulong)path, e.Filename);
        Assert.Equal(1UL, e.Returns);
        Assert.Equal(fd, e.Ret);
        Assert.Equal(GuestPrograms.AtFdCwd, e.ExitDfd);
        Assert.Equal((ulong)path, e.ExitFilename);
    }

    [Theory]
    [InlineData(ProgramSource.CSharp)]
    [InlineData(ProgramSource.C)]
    public void Kretprobe_sees_a_negative_errno_for_a_missing_file(ProgramSource source)
    {
        KernelEnvironment.Require();
        using var obj = GuestPrograms.Open(source, typeof(OpenProbes), "kprobe_open.bpf");
        obj.Load();
        obj.AttachAll();
        var target = obj.GetArrayMap<ulong>("Target");
        var path = GuestPrograms.NativePath(_file + ".missing");
        try
        {
            target[0] = 0; // the setter is JIT-compiled here, not between the two calls below
            target[0] = (ulong)GuestPrograms.GetTid();
            var result = GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly);
            target[0] = 0;
            Assert.Equal(-2, result); // ENOENT
            var e = obj.GetArrayMap<OpenEvent>("Events")[0];
            Assert.Equal(1UL, e.Returns);
            Assert.Equal(-2L, e.Ret);
        }
        finally { Marshal.FreeCoTaskMem(path); }
    }

    /// <summary>Loads and attaches <paramref name="obj"/>, opens the test file once from this thread (the only
    /// thread the programs record) and returns what they recorded, the fd and the path pointer.</summary>
    private (OpenEvent Event, int Fd, nint Path) OpenOnce(BpfObject obj)
    {
        obj.Load();
        obj.AttachAll();
        var target = obj.GetArrayMap<ulong>("Target");
        var events = obj.GetArrayMap<OpenEvent>("Events");
        var path = GuestPrograms.NativePath(_file);
        try
        {
            // Warm up every managed call made between setting and clearing the target, so no JIT or library
            // load opens a file on this thread while it is recorded.
            target[0] = 0;
            GuestPrograms.Close(GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly));
            _ = GuestPrograms.GetTid();

            target[0] = (ulong)GuestPrograms.GetTid();
            var fd = GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly);
            target[0] = 0;
            Assert.True(fd >= 0, $"openat({_file}) failed with errno {-fd}");
            GuestPrograms.Close(fd);
            return (events[0], fd, path);
        }
        finally { Marshal.FreeCoTaskMem(path); }
    }
}
