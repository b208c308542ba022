using CsBpf.TestSupport;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The samples fail like command-line tools: a bad option prints the usage (exit 2), and a process that may not
/// load BPF programs gets the runtime's explanation in one message, not a stack trace (exit 1).
/// </summary>
public class SampleErrorTests
{
    public static TheoryData<string, string> Samples => new()
    {
        { "ExecSnoop", typeof(Samples.ExecSnoop.ExecTracer).Assembly.Location },
        { "RunQLat", typeof(Samples.RunQLat.RunQueueLatency).Assembly.Location },
        { "Profile", typeof(Samples.Profile.CpuProfiler).Assembly.Location },
        { "TcpLife", typeof(Samples.TcpLife.TcpLifespans).Assembly.Location },
        { "OpenSnoop", typeof(Samples.OpenSnoop.OpenTracer).Assembly.Location },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_bad_option_prints_the_usage(string tool, string dll)
    {
        var (exit, output) = ProcessRunner.Run("dotnet", dll, "--no-such-option");
        Assert.Equal(2, exit);
        Assert.Contains($"{tool}: unknown option --no-such-option", output);
        Assert.Contains($"usage: {tool} ", output);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Without_capabilities_the_tool_says_what_it_needs(string tool, string dll)
    {
        KernelEnvironment.Require();
        // Root without any capability (empty bounding set): the bpf() system call is refused with EPERM.
        var (exit, output) = ProcessRunner.Run("setpriv", "--bounding-set=-all", "--inh-caps=-all", "dotnet", dll);
        Assert.True(exit == 1, output);
        Assert.StartsWith($"{tool}: Loading BPF object", output);
        Assert.Contains("was denied (EPERM)", output);
        Assert.Contains("CAP_BPF", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }
}
