using System.Runtime.InteropServices;
using CsBpf.Guest.Tests.Programs;
using CsBpf.TestSupport;

namespace CsBpf.Guest.Tests;

/// <summary>
/// A BPF LSM program on file_open denies the target thread's opens with EPERM while the flag is set; other
/// threads' opens and the target's own after clearing it succeed. Needs the guest's lsm=...,bpf.
/// </summary>
public sealed class LsmTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"csbpf-lsm-{Guid.NewGuid():N}");

    public LsmTests() => File.WriteAllText(_file, "protected");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData(ProgramSource.CSharp)]
    [InlineData(ProgramSource.C)]
    public void File_open_hook_denies_with_EPERM_only_while_enabled_and_only_for_the_target(ProgramSource source)
    {
        KernelEnvironment.Require();
        Assert.True(File.ReadAllText("/sys/kernel/security/lsm").Split(',').Contains("bpf"),
            "the BPF LSM is not active (/sys/kernel/security/lsm has no 'bpf'): boot with lsm=...,bpf");
        using var obj = GuestPrograms.Open(source, typeof(DenyOpen), "lsm_deny.bpf");
        obj.Load();
        obj.AttachAll();
        var target = obj.GetArrayMap<ulong>("Target");
        var path = GuestPrograms.NativePath(_file);
        try
        {
            target[0] = 0;
            GuestPrograms.Close(GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly));
            // The other thread exists before the flag is set, so creating it cannot open files on this one.
            var other = 0;
            using var go = new ManualResetEventSlim();
            var thread = new Thread(() => { go.Wait(); other = GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly); });
            thread.Start();

            target[0] = (ulong)GuestPrograms.GetTid();
            var denied = GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly);
            go.Set(); // another thread opens the same file while the flag is still set: allowed
            thread.Join();
            target[0] = 0;
            var allowed = GuestPrograms.OpenAt(GuestPrograms.AtFdCwd, path, GuestPrograms.ORdOnly);

            if (other >= 0) GuestPrograms.Close(other);
            if (allowed >= 0) GuestPrograms.Close(allowed);
            Assert.Equal(-GuestPrograms.EPERM, denied);
            Assert.True(other >= 0, $"another thread's open was refused (errno {-other}) while only the target thread should be");
            Assert.True(allowed >= 0, $"open after clearing the flag failed with errno {-allowed}");

            var stats = obj.GetArrayMap<LsmStats>("Stats")[0];
            Assert.Equal(1UL, stats.Denied);
            Assert.True(stats.Allowed >= 2, $"the hook allowed {stats.Allowed} opens; expected at least the other thread's and the final one");
        }
        finally { Marshal.FreeCoTaskMem(path); }
    }
}
