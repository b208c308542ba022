using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>End to end in the real kernel: load, attach to sys_enter_openat, count this process's opens, detach.</summary>
public sealed class TracepointCounterTests
{
    private const int Opens = 25;

    [Fact]
    public void Counts_this_process_openat_calls_until_the_link_is_disposed()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");
        obj.Load();
        Assert.True(obj.IsLoaded);
        var counts = obj.GetHashMap<uint, ulong>("counts");
        var pid = (uint)Environment.ProcessId;

        var links = obj.AttachAll();
        var link = Assert.Single(links);
        Assert.Equal("count_openat", link.Program.Name);
        Assert.Equal("tracepoint/syscalls/sys_enter_openat", link.Target);
        Assert.True(link.Fd >= 0);

        var file = Path.GetTempFileName();
        try
        {
            OpenRepeatedly(file, Opens);
            Assert.True(counts.TryGetValue(pid, out var counted), "no count for this process after opening a file");
            Assert.True(counted >= Opens, $"counted {counted} openat calls, expected at least {Opens}");
            Assert.Contains(pid, counts.Keys);

            // Detach: the program stops running, so the count stops moving while the map stays readable.
            link.Dispose();
            Assert.True(link.IsDisposed);
            Thread.Sleep(50); // let a program already running on another CPU finish
            var afterDetach = counts[pid];
            OpenRepeatedly(file, Opens);
            Assert.Equal(afterDetach, counts[pid]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Disposing_the_object_destroys_its_links_and_closes_the_maps()
    {
        KernelEnvironment.Require();
        var obj = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");
        obj.Load();
        var counts = obj.GetHashMap<uint, ulong>("counts");
        var link = obj.GetProgram("count_openat").Attach();
        var linkFd = link.Fd;
        Assert.True(File.Exists($"/proc/self/fd/{linkFd}"));

        obj.Dispose();

        Assert.True(link.IsDisposed);
        Assert.False(obj.IsLoaded);
        Assert.Throws<ObjectDisposedException>(() => counts.TryGetValue(1, out _));
        Assert.Throws<ObjectDisposedException>(() => obj.GetProgram("count_openat").Fd);
        obj.Dispose(); // idempotent
    }

    private static void OpenRepeatedly(string path, int times)
    {
        // FileStream opens with open(2), which glibc implements as the openat syscall.
        for (var i = 0; i < times; i++)
            using (File.OpenRead(path)) { }
    }
}
