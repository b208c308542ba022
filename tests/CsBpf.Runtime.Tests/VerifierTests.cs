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
        var lines = e.Message.Split('\n');
        Assert.Equal("The kernel verifier rejected program 'read_unchecked' at null_deref.bpf.c:19 (EACCES): R0 invalid mem access 'map_value_or_null'", lines[0]);
        Assert.StartsWith("  null_deref.bpf.c:19: return *value;", lines[1]); // the source line, from the BTF line info
        Assert.EndsWith(e.AnnotatedVerifierLog, e.Message); // summary, source, then the annotated log
        Assert.Equal("null_deref.bpf.c", e.SourceFile);
        Assert.Equal(19, e.SourceLine);
        Assert.StartsWith("return *value;", e.SourceText);
        Assert.Equal(7, e.FailedInstruction); // 7: (79) r0 = *(u64 *)(r0 +0)
        // Every instruction line carries its source location; the raw log is kept as the kernel wrote it.
        Assert.Contains("(85) call bpf_map_lookup_elem#1", e.AnnotatedVerifierLog);
        Assert.Matches(@"\n6: \(85\) call bpf_map_lookup_elem#1.*  @ null_deref\.bpf\.c:18\n", e.AnnotatedVerifierLog);
        Assert.Matches(@"\n7: \(79\) r0 = \*\(u64 \*\)\(r0 \+0\)  @ null_deref\.bpf\.c:19\n", e.AnnotatedVerifierLog);
        Assert.DoesNotContain("  @ ", e.VerifierLog);
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

    [Fact]
    public void A_map_type_the_kernel_lacks_is_reported_as_not_supported()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("unsupported_map"), "unsupported_map");

        var e = Assert.Throws<BpfNotSupportedException>(obj.Load);

        Assert.Equal(22, e.Errno); // the kernel's EINVAL, explained by the probe
        Assert.Contains("map 'future' has type 250, which this kernel does not support", e.Message);
        Assert.Contains("Use a newer kernel", e.Message);
        Assert.IsType<BpfLoadException>(e.InnerException);
    }

    [Fact]
    public void A_helper_the_kernel_lacks_is_reported_as_not_supported_with_the_verifier_report()
    {
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(BpfFixtures.Compile("unknown_helper"), "unknown_helper");

        var e = Assert.Throws<BpfNotSupportedException>(obj.Load);

        Assert.Contains("it calls BPF helper #1000, which this kernel does not provide at unknown_helper.bpf.c:", e.Message);
        var load = Assert.IsType<BpfLoadException>(e.InnerException);
        Assert.Equal("calls_future", load.ProgramName);
        Assert.Contains("invalid func unknown#1000", load.VerifierLog);
        Assert.Equal("unknown_helper.bpf.c", load.SourceFile);
    }
}
