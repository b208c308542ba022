using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// CSBPF0040 and CSBPF0041 as the compiler reports them (it runs the shared rule set before lowering), and
/// proof that neither rule is decorative: the same program compiled with the rule bypassed — the helper bound
/// through a local stub whose attribute claims nothing — is refused by this kernel's verifier for exactly the
/// reason the rule gives.
/// </summary>
public class HelperRuleTests
{
    private const string CoarseInTracepoint = """
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class CoarseClock
        {
            [Map] static readonly ArrayMap<ulong> Last = new(maxEntries: 1);

            [RawTracepoint("sys_enter")]
            static int OnEnter(RawTracepointContext ctx)
            {
                Last.Update(0, Now());
                return 0;
            }

            static ulong Now() => Bpf.KtimeGetCoarseNs();

            // The same helper (160) through a stub that declares no availability: CSBPF0040 cannot see it.
            [BpfHelper(160)]
            static ulong UncheckedCoarse() => 0;
        }
        """;

    [Fact]
    public void The_compiler_reports_a_helper_the_program_type_lacks_and_emits_no_object()
    {
        var result = TestCompiler.Compile(CoarseInTracepoint);
        Assert.False(result.Success);
        Assert.Empty(result.Objects);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CSBPF0040", d.Id);
        Assert.Contains("calls 'Bpf.KtimeGetCoarseNs' through 'Now'", d.GetMessage());
    }

    [Fact]
    public void Bypassing_CSBPF0040_gets_the_program_refused_by_the_verifier()
    {
        KernelEnvironment.Require();
        byte[] elf = TracingPrograms.Compile(CoarseInTracepoint.Replace("static ulong Now() => Bpf.KtimeGetCoarseNs();", "static ulong Now() => UncheckedCoarse();"));
        using var obj = BpfObject.Open(elf, "coarse_bypass");
        var e = Assert.ThrowsAny<BpfException>(obj.Load);
        Assert.Contains("cannot use helper bpf_ktime_get_coarse_ns#160", e.Message);
    }

    private const string ReadKernelWithoutGpl = """
        using CsBpf;
        [BpfProgram(License = "MIT")]
        public static partial class NotGpl
        {
            [Map] static readonly ArrayMap<ulong> Last = new(maxEntries: 1);

            [RawTracepoint("sys_enter")]
            static int OnEnter(ulong regs, long id)
            {
                Bpf.ProbeReadKernel(out ulong di, regs + 112);
                Last.Update(0, di);
                return 0;
            }

            // bpf_probe_read_kernel (113) through a stub that does not say it is GPL-only: CSBPF0041 cannot see it.
            [BpfHelper(113, AppendSizeOfRefArguments = true)]
            static long UncheckedRead(out ulong value, ulong address) { value = 0; return 0; }
        }
        """;

    [Fact]
    public void The_compiler_reports_a_gpl_only_helper_in_a_non_gpl_class()
    {
        var result = TestCompiler.Compile(ReadKernelWithoutGpl);
        Assert.Empty(result.Objects);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CSBPF0041", d.Id);
        Assert.Contains("'Bpf.ProbeReadKernel' (helper 113) is GPL-only, but class 'NotGpl' has License = \"MIT\"", d.GetMessage());
    }

    [Fact]
    public void Bypassing_CSBPF0041_gets_the_program_refused_by_the_verifier()
    {
        KernelEnvironment.Require();
        byte[] elf = TracingPrograms.Compile(ReadKernelWithoutGpl.Replace("Bpf.ProbeReadKernel(out ulong di, regs + 112);", "UncheckedRead(out ulong di, regs + 112);"));
        using var obj = BpfObject.Open(elf, "gpl_bypass");
        var e = Assert.ThrowsAny<BpfException>(obj.Load);
        Assert.Contains("cannot call GPL-restricted function from non-GPL compatible program", e.Message);
        // With a GPL-compatible license the same bytes load.
        using var gpl = BpfObject.Open(TracingPrograms.Compile(ReadKernelWithoutGpl.Replace("\"MIT\"", "\"Dual MIT/GPL\"")), "gpl_ok");
        gpl.Load();
    }
}
