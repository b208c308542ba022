using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>Attach failures name the missing target.</summary>
public sealed class AttachTests
{
    [Fact]
    public void AttachAll_to_an_unknown_tracepoint_names_it()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("missing_tracepoint"), "missing_tp");
        obj.Load(); // tracepoint programs are not bound to an event until attached

        var e = Assert.Throws<BpfAttachException>(() => obj.AttachAll());

        Assert.Equal("on_nosuch", e.ProgramName);
        Assert.Equal("syscalls/sys_enter_nosuch", e.Target);
        Assert.StartsWith(
            "Tracepoint 'syscalls/sys_enter_nosuch' does not exist: no /sys/kernel/tracing/events/syscalls/sys_enter_nosuch (list them with `ls /sys/kernel/tracing/events`)",
            e.Message);
    }

    [Fact]
    public void AttachTracepoint_to_an_unknown_tracepoint_names_it()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");
        obj.Load();

        var e = Assert.Throws<BpfAttachException>(() => obj.GetProgram("count_openat").AttachTracepoint("syscalls", "sys_enter_nosuch"));

        Assert.Contains("Tracepoint 'syscalls/sys_enter_nosuch' does not exist", e.Message);
        Assert.Equal(2, e.Errno); // ENOENT
    }

    [Fact]
    public void AttachTracepoint_overrides_the_section_target()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("missing_tracepoint"), "missing_tp");
        obj.Load();

        using var link = obj.GetProgram("on_nosuch").AttachTracepoint("syscalls", "sys_enter_getpid");

        Assert.Equal("syscalls/sys_enter_getpid", link.Target);
        Assert.True(link.Fd >= 0);
    }

    [Fact]
    public void Attaching_before_Load_asks_for_Load()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");

        var e = Assert.Throws<InvalidOperationException>(() => obj.AttachAll());

        Assert.Contains("call Load() first", e.Message);
        Assert.Throws<InvalidOperationException>(() => obj.Programs[0].Attach());
    }

    [Fact]
    public void Tracepoint_names_must_be_single_path_components()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");
        obj.Load();

        Assert.Throws<ArgumentException>(() => obj.Programs[0].AttachTracepoint("..", "sys_enter_openat"));
        Assert.Throws<ArgumentException>(() => obj.Programs[0].AttachTracepoint("syscalls", "a/b"));
    }
}
