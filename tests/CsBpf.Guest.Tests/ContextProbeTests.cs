using System.Runtime.InteropServices;
using CsBpf.Guest.Tests.Programs;
using CsBpf.TestSupport;

namespace CsBpf.Guest.Tests;

/// <summary>
/// The context form of kprobe/kretprobe (<c>static int M(PtRegs ctx)</c>), attached in the guest kernel: the
/// test thread opens a file and the programs must have seen dfd = AT_FDCWD and the exact path pointer in
/// ctx.Arg0/Arg1, the returned fd in ctx.ReturnValue, and bpf_get_func_ip(ctx) must be do_sys_openat2's
/// address (/proc/kallsyms) at entry.
/// </summary>
public sealed class ContextProbeTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"csbpf-guest-ctx-{Guid.NewGuid():N}");

    public ContextProbeTests() => File.WriteAllText(_file, "probe me");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Context_form_kprobes_read_pt_regs_and_the_function_address()
    {
        KernelEnvironment.Require();
        using var obj = GuestPrograms.Open(ProgramSource.CSharp, typeof(OpenProbesContext), "");
        obj.Load();
        obj.AttachAll();
        var target = obj.GetArrayMap<ulong>("Target");
        var path = GuestPrograms.NativePath(_file);
        int fd;
        try
        {
            target[0] = 0;
            GuestPrograms.Close(GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly));
            _ = GuestPrograms.GetTid();
            target[0] = (ulong)GuestPrograms.GetTid();
            fd = GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly);
            target[0] = 0;
            Assert.True(fd >= 0, $"openat failed with errno {-fd}");
            GuestPrograms.Close(fd);
        }
        finally { Marshal.FreeCoTaskMem(path); }

        OpenEvent e = obj.GetArrayMap<OpenEvent>("Events")[0];
        Assert.Equal(1UL, e.Entries);
        Assert.Equal(GuestPrograms.AtFdCwd, e.Dfd);
        Assert.Equal((ulong)path, e.Filename);
        Assert.Equal(1UL, e.Returns);
        Assert.Equal(fd, e.Ret);
        ulong expected = File.ReadLines("/proc/kallsyms").Select(l => l.Split(' ')).Where(f => f.Length >= 3 && f[2] == "do_sys_openat2")
            .Select(f => Convert.ToUInt64(f[0], 16)).First();
        Assert.Equal(expected, obj.GetArrayMap<ulong>("FunctionAddress")[0]);
    }
}
