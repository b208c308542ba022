using CsBpf.Runtime.Native;
using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>Loading without privileges gives <see cref="BpfPermissionException"/> with the fix.</summary>
public sealed class PermissionTests
{
    private const string Requirement = "Loading BPF programs needs root or CAP_BPF + CAP_PERFMON (Linux ≥ 5.8); run as root or grant the capabilities (setcap cap_bpf,cap_perfmon+ep ";

    [Fact]
    public void Loading_as_nobody_is_denied_with_the_fix()
    {
        KernelEnvironment.Require(); // as root, so setpriv can switch to another uid
        const string setpriv = "/usr/bin/setpriv";
        Assert.True(File.Exists(setpriv), "setpriv is needed to run a child as nobody: install Debian package util-linux");

        var result = ChildProcess.Run(ChildProcess.LoadStdinScenario,
            new Dictionary<string, string?> { ["HOME"] = "/tmp" },
            stdin: BpfFixtures.Compile("openat_counter"),
            wrapper: [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]);

        Assert.True(result.ExitCode == 0, $"child failed (exit {result.ExitCode}): {result.ExceptionType} {result.Message} {result.StandardError}");
        Assert.Equal(nameof(BpfPermissionException), result.ExceptionType);
        Assert.Contains(Requirement, result.Message);
        Assert.Contains("This process runs as uid 65534 without CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN", result.Message);
        Assert.StartsWith("Loading BPF object 'child' was denied (EPERM)", result.Message);
    }

    [Fact]
    public void Classification_verifier_log_wins_over_errno()
    {
        var e = BpfErrors.LoadFailure("obj", Errno.EACCES, "prog", "0: R1=ctx()\n1: (79) r0 = *(u64 *)(r0 +0)\nR0 invalid mem access 'scalar'\nprocessed 2 insns (limit 1000000) max_states_per_insn 0\n",
            "", new Privileges(0, true, true, true));

        var load = Assert.IsType<BpfLoadException>(e);
        Assert.Equal("prog", load.ProgramName);
        Assert.StartsWith("The kernel verifier rejected program 'prog' (EACCES): R0 invalid mem access 'scalar'\n0: R1=ctx()", load.Message);
    }

    [Fact]
    public void Classification_EPERM_without_log_and_without_capabilities_is_a_permission_problem()
    {
        var e = BpfErrors.LoadFailure("obj", Errno.EPERM, null, "", "libbpf: map 'counts': failed to create: Operation not permitted(-1)\n",
            new Privileges(1000, false, false, false));

        var permission = Assert.IsType<BpfPermissionException>(e);
        Assert.Equal(1, permission.Errno);
        Assert.Contains(Requirement, permission.Message);
        Assert.Contains("uid 1000 without CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN", permission.Message);
        Assert.Contains("failed to create", permission.Message);
    }

    [Fact]
    public void Classification_EPERM_with_capabilities_points_elsewhere()
    {
        var e = BpfErrors.LoadFailure("obj", Errno.EPERM, null, "", "", new Privileges(0, true, true, true));

        var permission = Assert.IsType<BpfPermissionException>(e);
        Assert.Contains("although this process runs as uid 0 (root) with CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN", permission.Message);
        Assert.Contains("lockdown", permission.Message);
    }

    [Fact]
    public void Classification_other_errors_are_load_failures_with_libbpf_messages()
    {
        var e = BpfErrors.LoadFailure("obj", Errno.EINVAL, null, "", "libbpf: map 'm': failed to create: Invalid argument(-22)\n", new Privileges(0, true, true, true));

        var load = Assert.IsType<BpfLoadException>(e);
        Assert.Null(load.ProgramName);
        Assert.Equal("", load.VerifierLog);
        Assert.StartsWith("Loading BPF object 'obj' failed (EINVAL: Invalid argument): libbpf: map 'm': failed to create", load.Message);
    }

    [Fact]
    public void Last_meaningful_line_skips_the_statistics_trailer()
    {
        Assert.Equal("R0 invalid mem access 'map_value_or_null'",
            BpfErrors.LastMeaningfulLine("4: (79) r0 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'\nprocessed 5 insns (limit 1000000)\n\n"));
        Assert.Equal("(the verifier log has no message)", BpfErrors.LastMeaningfulLine("\n"));
    }
}
