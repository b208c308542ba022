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

    [Fact]
    public void Verifier_analysis_maps_instructions_to_the_source_line_they_first_appeared_under()
    {
        // The verifier prints an annotation when the source line changes along the path it explores; after a
        // branch it may resume at an instruction whose annotation was printed earlier (or not at all).
        const string log = """
            0: R1=ctx() R10=fp0
            ; int x = f(); @ Probe.cs:10
            0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
            1: (bf) r6 = r0
            ; if (x > 3) { @ Probe.cs:11
            2: (25) if r6 > 0x3 goto pc+2
            ; return *p; @ Probe.cs:12
            3: (79) r0 = *(u64 *)(r7 +0)
            4: (95) exit
            from 2 to 5: R6=scalar(umin=4)
            5: (79) r0 = *(u64 *)(r6 +0)
            R6 invalid mem access 'scalar'
            processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
            """;

        var verdict = VerifierLogAnalysis.Analyze(log.Replace("\r\n", "\n"));

        Assert.Equal("R6 invalid mem access 'scalar'", verdict.Message);
        Assert.Equal(5, verdict.Instruction);
        Assert.Equal("Probe.cs", verdict.SourceFile); // instruction 5 was verified after the Probe.cs:12 annotation
        Assert.Equal(12, verdict.SourceLine);
        Assert.Contains("1: (bf) r6 = r0  @ Probe.cs:10", verdict.AnnotatedLog);
        Assert.Contains("2: (25) if r6 > 0x3 goto pc+2  @ Probe.cs:11", verdict.AnnotatedLog);
        Assert.DoesNotContain("0: R1=ctx() R10=fp0  @", verdict.AnnotatedLog); // register-state lines are not instructions

        var e = Assert.IsType<BpfLoadException>(BpfErrors.LoadFailure("obj", Errno.EACCES, "Probe", log, "", new Privileges(0, true, true, true)));
        Assert.StartsWith("The kernel verifier rejected program 'Probe' at Probe.cs:12 (EACCES): R6 invalid mem access 'scalar'\n  Probe.cs:12: return *p;\n", e.Message);
    }

    [Fact]
    public void Verifier_analysis_without_line_info_leaves_the_log_as_is()
    {
        const string log = "0: (79) r0 = *(u64 *)(r0 +0)\nR0 invalid mem access 'scalar'\n";

        var verdict = VerifierLogAnalysis.Analyze(log);

        Assert.Null(verdict.SourceFile);
        Assert.Null(verdict.SourceLine);
        Assert.Equal(0, verdict.Instruction);
        Assert.Equal(log, verdict.AnnotatedLog);
    }
}
