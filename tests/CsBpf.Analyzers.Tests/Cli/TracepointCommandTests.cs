using CsBpf.Compiler.Cli;
using CsBpf.TestSupport;

namespace CsBpf.Analyzers.Tests.Cli;

/// <summary><c>csbpfc tracepoint &lt;category&gt; &lt;name&gt;</c>: prints the record struct, or a usage error with exit code 2.</summary>
public class TracepointCommandTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = TracepointCommand.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Prints_the_record_of_a_live_tracepoint()
    {
        KernelEnvironment.Require();
        var (exit, output, error) = Run("syscalls", "sys_enter_openat", "--namespace", "My.Events", "--type-name", "OpenatRecord");
        Assert.True(exit == 0, error);
        Assert.Contains("namespace My.Events;", output);
        Assert.Contains("public struct OpenatRecord", output);
        Assert.Contains("public ulong Filename;", output);
        Assert.Contains("[Tracepoint(\"syscalls\", \"sys_enter_openat\")] static int M(ref readonly OpenatRecord record)", output);
    }

    [Fact]
    public void The_whole_tool_dispatches_the_subcommand()
    {
        KernelEnvironment.Require();
        string csbpfc = Path.Combine(AppContext.BaseDirectory, "csbpfc.dll");
        var (exit, output) = ProcessRunner.Run("dotnet", csbpfc, "tracepoint", "sched", "sched_switch");
        Assert.True(exit == 0, output);
        Assert.Contains("public TaskComm PrevComm;", output);
        var (missingExit, missing) = ProcessRunner.Run("dotnet", csbpfc, "tracepoint", "sched", "no_such_event");
        Assert.Equal(2, missingExit);
        Assert.Contains("csbpfc: error:", missing);
        Assert.Contains("category 'sched' has no event 'no_such_event'", missing);
    }

    [Theory]
    [InlineData(new[] { "syscalls" }, "give a category and a name")]
    [InlineData(new[] { "a", "b", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "a", "b", "--type-name", "not an identifier" }, "is not a C# identifier")]
    public void Bad_usage_exits_with_2_and_says_why(string[] args, string message)
    {
        var (exit, _, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }
}
