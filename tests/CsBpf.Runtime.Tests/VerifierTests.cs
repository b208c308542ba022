using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>Verifier rejections surface as <see cref="BpfLoadException"/> with the kernel's log.</summary>
public sealed class VerifierTests
{
    [Fact]
    public void Unchecked_map_lookup_is_rejected_with_the_verifier_log()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("null_deref"), "null_deref");

        var e = Assert.Throws<BpfLoadException>(obj.Load);

        Assert.Equal("read_unchecked", e.ProgramName);
        Assert.Equal(13, e.Errno); // EACCES
        Assert.Contains("invalid mem access", e.VerifierLog);
        var firstLine = e.Message.Split('\n')[0];
        Assert.StartsWith("The kernel verifier rejected program 'read_unchecked' (EACCES): ", firstLine);
        Assert.Contains("invalid mem access 'map_value_or_null'", firstLine);
        Assert.EndsWith(e.VerifierLog, e.Message); // summary line, newline, then the raw log
        Assert.False(obj.IsLoaded);
        Assert.Throws<InvalidOperationException>(obj.Load); // libbpf cannot load an object twice
    }

    [Fact]
    public void A_log_too_big_for_the_buffer_is_retried_with_a_bigger_one()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("null_deref"), "null_deref");
        obj.InitialLogBufferSize = 64; // far too small: the kernel fails the load with ENOSPC

        var e = Assert.Throws<BpfLoadException>(obj.Load);

        Assert.True(obj.LoadRetries > 0, "the load was not retried");
        Assert.Equal(13, e.Errno); // the real verdict, not ENOSPC
        Assert.Contains("invalid mem access", e.VerifierLog);
        Assert.Contains("processed ", e.VerifierLog); // the complete log, up to the statistics trailer
    }

    [Fact]
    public void A_valid_program_loads_with_the_log_buffers_in_place()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("openat_counter"), "openat_counter");
        obj.InitialLogBufferSize = 64; // no log is requested for a successful load, so a tiny buffer is fine

        obj.Load();

        Assert.Equal(0, obj.LoadRetries);
        Assert.True(obj.GetProgram("count_openat").Fd > 0);
    }
}
