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

        var e = Assert.Throws<BpfAttachTargetNotFoundException>(() => obj.AttachAll());

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

        var e = Assert.Throws<BpfAttachTargetNotFoundException>(() => obj.GetProgram("count_openat").AttachTracepoint("syscalls", "sys_enter_nosuch"));

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

    [Fact]
    public void AttachCgroup_counts_this_process_packets_until_detached()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("lifetime"), "lifetime");
        obj.Load();
        var packets = obj.GetGlobals<ulong>(".bss");

        var link = obj.GetProgram("count_egress").AttachCgroup(Cgroup2.Root);
        Assert.Equal($"cgroup {Cgroup2.Root}", link.Target);
        SendUdp(5);
        var counted = packets.ReadOnlyValue;
        Assert.True(counted >= 5, $"counted {counted} egress packets, sent 5");

        link.Dispose();
        SendUdp(5);
        Assert.Equal(counted, packets.ReadOnlyValue);
    }

    [Fact]
    public void AttachXdp_sees_loopback_traffic()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("xdp_swap"), "xdp_swap");
        obj.Load();
        var runs = obj.GetGlobals<ulong>(".bss");

        using (var link = obj.GetProgram("swap_macs").AttachXdp("lo"))
        {
            Assert.Equal("xdp lo", link.Target);
            SendUdp(3);
        }

        Assert.True(runs.ReadOnlyValue >= 3, $"XDP ran {runs.ReadOnlyValue} times for 3 loopback packets");
    }

    [Fact]
    public void Missing_cgroups_and_interfaces_are_attach_targets_not_found()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("lifetime"), "lifetime");
        obj.Load();

        var cgroup = Assert.Throws<BpfAttachTargetNotFoundException>(() => obj.GetProgram("count_egress").AttachCgroup("/sys/fs/cgroup/no/such/group"));
        Assert.Contains("Cgroup '/sys/fs/cgroup/no/such/group' does not exist", cgroup.Message);
        Assert.Equal("count_egress", cgroup.ProgramName);

        var device = Assert.Throws<BpfAttachTargetNotFoundException>(() => obj.GetProgram("count_egress").AttachXdp("nosuch0"));
        Assert.Contains("Network interface 'nosuch0' does not exist", device.Message);
    }

    private static void SendUdp(int count)
    {
        using var receiver = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var sender = new System.Net.Sockets.UdpClient();
        var target = (System.Net.IPEndPoint)receiver.Client.LocalEndPoint!;
        for (var i = 0; i < count; i++)
        {
            sender.Send([1, 2, 3], target);
            var from = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);
            receiver.Receive(ref from); // delivered: it went through egress (and lo's XDP hook)
        }
    }
}
