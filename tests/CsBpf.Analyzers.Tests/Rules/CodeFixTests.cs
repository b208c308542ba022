using CsBpf.Analyzers.CodeFixes;
using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>The code fixes (analyzers/CsBpf.Analyzers.CodeFixes): each turns a flagged program into one the
/// rule accepts.</summary>
public class CodeFixTests
{
    [Fact]
    public Task Adds_the_null_check_after_a_map_lookup() => FixAsync<FlowRulesAnalyzer, AddNullCheckCodeFix>(Program("""
                ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                Interlocked.Increment(ref {|CSBPF0016:n|});
        """), Program("""
                ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                if (Unsafe.IsNullRef(ref n)) return 0;
                Interlocked.Increment(ref n);
        """));

    [Fact]
    public Task Adds_the_bounds_check_after_a_packet_GetRef() => FixAsync<FlowRulesAnalyzer, AddNullCheckCodeFix>("""
        using System.Runtime.CompilerServices;
        using CsBpf;
        using CsBpf.Net;
        [BpfProgram(License = "GPL")]
        public static partial class F
        {
            [Xdp]
            static XdpAction Filter(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                return {|CSBPF0020:eth|}.EtherType == 0 ? XdpAction.Drop : XdpAction.Pass;
            }
        }
        """, """
        using System.Runtime.CompilerServices;
        using CsBpf;
        using CsBpf.Net;
        [BpfProgram(License = "GPL")]
        public static partial class F
        {
            [Xdp]
            static XdpAction Filter(XdpContext ctx)
            {
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth)) return XdpAction.Pass;
                return eth.EtherType == 0 ? XdpAction.Drop : XdpAction.Pass;
            }
        }
        """);

    [Fact]
    public Task Adds_a_bound_to_a_loop() => FixAsync<FlowRulesAnalyzer, AddLoopBoundCodeFix>(Program("""
                uint x = Bpf.GetSmpProcessorId();
                {|CSBPF0014:while|} (x != 0) x = Bpf.GetSmpProcessorId();
        """), Program("""
                uint x = Bpf.GetSmpProcessorId();
                int loopBound = 0;
                while (++loopBound <= 1024 && (x != 0)) x = Bpf.GetSmpProcessorId();
        """));

    [Fact]
    public Task Adds_a_bound_to_a_for_loop_with_an_unbounded_limit() => FixAsync<FlowRulesAnalyzer, AddLoopBoundCodeFix>(Program("""
                uint n = (uint)Bpf.KtimeGetNs(), r = 0;
                {|CSBPF0014:for|} (uint j = 0; j < n; j++) r += j;
                Counts.Update(1, r);
        """), Program("""
                uint n = (uint)Bpf.KtimeGetNs(), r = 0;
                int loopBound = 0;
                for (uint j = 0; ++loopBound <= 1024 && (j < n); j++) r += j;
                Counts.Update(1, r);
        """));

    [Fact]
    public Task Sets_the_license() => FixAsync<DeclarationAnalyzer, SetLicenseCodeFix>("""
        using CsBpf;
        [{|CSBPF1004:BpfProgram|}]
        public static partial class P
        {
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """, """
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """);

    [Fact]
    public Task Makes_a_map_key_struct_sequential() => FixAsync<DeclarationAnalyzer, UseSequentialLayoutCodeFix>("""
        using System.Runtime.InteropServices;
        using CsBpf;
        {|#1:[StructLayout(LayoutKind.Auto)]
        public struct Key
        {
            public uint Pid;
            public uint Cpu;
        }|}
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<Key, ulong> {|#0:Counts|} = new(maxEntries: 16);
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """, """
        using System.Runtime.InteropServices;
        using CsBpf;
        [StructLayout(LayoutKind.Sequential)]
        public struct Key
        {
            public uint Pid;
            public uint Cpu;
        }
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<Key, ulong> Counts = new(maxEntries: 16);
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """, Expect("CSBPF1150", 0).WithLocation(1).WithArguments("Counts",
            "the key type 'Key' is not plain data the kernel and the host can share: 'Key' has auto layout, so the CLR may reorder its fields; use [StructLayout(LayoutKind.Sequential)] (the default)"));
}
