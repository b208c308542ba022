using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary><see cref="BpfProgramHandle.TestRun(ReadOnlySpan{byte}, Span{byte}, int)"/>: BPF_PROG_TEST_RUN on packet and syscall programs.</summary>
public sealed class TestRunTests
{
    [Fact]
    public void Xdp_program_runs_on_a_test_packet_repeatedly()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("xdp_swap"), "xdp_swap");
        obj.Load();
        var program = obj.GetProgram("swap_macs");
        Assert.Equal(6, program.ProgramType); // BPF_PROG_TYPE_XDP

        var packet = new byte[64];
        for (var i = 0; i < packet.Length; i++) packet[i] = (byte)i;
        var output = new byte[128];

        var result = program.TestRun(packet, output, repeat: 25);

        Assert.Equal(2, result.ReturnValue); // XDP_PASS
        Assert.Equal(64, result.DataOutLength);
        Assert.Equal(packet[6..12], output[..6]); // source and destination swapped
        Assert.Equal(packet[..6], output[6..12]);
        Assert.Equal(packet[12..], output[12..64]);
        Assert.Equal(25ul, obj.GetGlobals<ulong>(".bss").ReadOnlyValue); // runs
    }

    [Fact]
    public void Invalid_input_and_unsupported_program_types_are_explained()
    {
        KernelEnvironment.Require();
        using (var obj = BpfObject.Open(BpfFixtures.Compile("xdp_swap"), "xdp_swap"))
        {
            obj.Load();
            var tooShort = Assert.Throws<BpfException>(() => obj.GetProgram("swap_macs").TestRun(new byte[4]));
            Assert.Equal(22, tooShort.Errno); // EINVAL: XDP test runs need at least an Ethernet header
            Assert.Contains("at least an Ethernet header", tooShort.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => obj.GetProgram("swap_macs").TestRun(new byte[64], repeat: 0));
        }

        using var tracepoint = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");
        Assert.Throws<InvalidOperationException>(() => tracepoint.GetProgram("count_openat").TestRun(new byte[64]));
        tracepoint.Load();
        var unsupported = Assert.Throws<BpfNotSupportedException>(() => tracepoint.GetProgram("count_openat").TestRun(new byte[64]));
        Assert.Contains("cannot test-run program 'count_openat'", unsupported.Message);
    }
}
