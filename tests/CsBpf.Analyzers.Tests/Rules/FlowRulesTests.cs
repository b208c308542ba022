using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>FlowRulesAnalyzer: null checks after map lookups (CSBPF0016), divisors (0017/0018), span indexes
/// (0019) and loop bounds (0014), each with clean and flagged cases.</summary>
public class FlowRulesTests
{
    private static Task Analyze(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<FlowRulesAnalyzer>(source, expected);

    // ---- CSBPF0016 ----

    [Fact]
    public Task Lookup_checked_before_use_is_clean() => Analyze(Program("""
                ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                if (Unsafe.IsNullRef(ref n)) Counts.Update(1, 1);
                else Interlocked.Increment(ref n);
                ref ulong m = ref Counts.GetValueRefOrNullRef(2);
                if (Unsafe.IsNullRef(ref m)) return 1;
                m += 2;
        """));

    [Fact]
    public Task Lookup_used_without_a_check_is_flagged() => Analyze(Program("""
                ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                Interlocked.Increment(ref {|CSBPF0016:n|});
                n++;
        """));

    [Fact]
    public Task Lookup_used_on_the_null_path_is_flagged() => Analyze(Program("""
                ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                if (Unsafe.IsNullRef(ref n)) { {|CSBPF0016:n|} = 1; }
        """));

    [Fact]
    public Task A_bool_that_stored_the_test_counts_as_the_check() => Analyze(Program("""
                ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                bool known = !Unsafe.IsNullRef(ref n);
                ulong v = known ? n : 0;
                if (!known) return 1;
                n = v + 1;
        """));

    [Fact]
    public Task Direct_use_of_the_lookup_result_is_flagged() => Analyze(Program("""
                ulong v = {|CSBPF0016:Counts.GetValueRefOrNullRef(1)|};
        """));

    [Fact]
    public Task A_ring_buffer_record_is_checked_like_a_map_value() => Analyze(Program("""
                ref ulong ok = ref Events.Reserve<ulong>();
                if (Unsafe.IsNullRef(ref ok)) return 1;
                ok = 1;
                Events.Submit(ref ok);
                ref ulong unchecked_ = ref Events.Reserve<ulong>();
                {|CSBPF0016:unchecked_|} = 2;
                Events.Submit(ref unchecked_);
        """, "    [Map] static readonly RingBuffer Events = new(sizeBytes: 4096);"));

    // ---- CSBPF0020 ----

    private static string Xdp(string body) => $$"""
        using System.Runtime.CompilerServices;
        using CsBpf;
        using CsBpf.Net;

        [BpfProgram(License = "GPL")]
        public static partial class F
        {
            [Xdp]
            static XdpAction Filter(XdpContext ctx)
            {
        {{body}}
                return XdpAction.Pass;
            }
        }
        """;

    [Fact]
    public Task Packet_reference_checked_before_use_is_clean() => Analyze(Xdp("""
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth)) return XdpAction.Drop;
                if (eth.EtherType != NetworkOrder.ToNetwork(EtherTypes.IPv4)) return XdpAction.Pass;
                ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                if (!Unsafe.IsNullRef(ref ip) && ip.Protocol == 17) return XdpAction.Drop;
        """));

    [Fact]
    public Task Packet_reference_used_without_its_bounds_check_is_flagged() => Analyze(Xdp("""
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if ({|CSBPF0020:eth|}.EtherType == 0) return XdpAction.Drop;
                ushort t = {|CSBPF0020:ctx.GetRef<EthernetHeader>(14)|}.EtherType;
        """));

    [Fact]
    public Task Packet_references_are_stale_after_a_helper_that_moves_the_packet() => Analyze(Xdp("""
                ref EthernetHeader eth = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref eth)) return XdpAction.Drop;
                ushort type = eth.EtherType;
                if (ctx.AdjustHead(-4) != 0) return XdpAction.Drop;
                {|CSBPF0021:eth|}.EtherType = type;
                ref EthernetHeader again = ref ctx.GetRef<EthernetHeader>(0);
                if (Unsafe.IsNullRef(ref again)) return XdpAction.Drop;
                again.EtherType = type;
        """));

    // ---- CSBPF0017 / 0018 ----

    [Fact]
    public Task Guarded_and_constant_divisors_are_clean() => Analyze(Program("""
                uint a = Bpf.GetSmpProcessorId();
                uint b = (uint)Bpf.KtimeGetNs();
                uint q = a / 7 + a % 3;
                if (b != 0) q += a / b;
                if (b > 3) q += a % (b - 3);
                q += a / ((b & 15) + 1) + a / (b | 1);
                int s = (int)a, t = (int)b;
                if (t > 0) q += (uint)(s / t);
                short sh = (short)a;
                if (sh > 0) q += (uint)(s / sh);
                if (sh != 0) q += (uint)(sh / sh);
                Counts.Update(1, q);
        """));

    [Fact]
    public Task Unguarded_divisor_is_flagged() => Analyze(Program("""
                uint a = Bpf.GetSmpProcessorId();
                uint b = (uint)Bpf.KtimeGetNs();
                Counts.Update(1, {|CSBPF0017:a / b|});
                if (b > 10) return 1;
                Counts.Update(2, {|CSBPF0017:a % b|});
        """));

    [Fact]
    public Task Signed_division_that_may_overflow_is_flagged() => Analyze(Program("""
                int a = (int)Bpf.GetSmpProcessorId();
                int b = (int)Bpf.KtimeGetNs();
                if (b != 0) Counts.Update(1, (ulong)({|CSBPF0018:a / b|}));
                Counts.Update(2, (ulong)({|CSBPF0018:a / -1|}));
        """));

    [Fact]
    public Task Parameters_get_the_range_their_call_sites_pass() => Analyze(Program("""
                Counts.Update(1, Div(Bpf.GetSmpProcessorId(), 4) + Div(9, 3));
                Counts.Update(2, Mod(Bpf.GetSmpProcessorId(), (uint)Bpf.KtimeGetNs()));
        """, """
            static uint Div(uint a, uint b) => a / b;
            static uint Mod(uint a, uint b) => {|CSBPF0017:a % b|};
        """));

    // ---- CSBPF0019 ----

    [Fact]
    public Task Span_indexes_proven_in_range_are_clean() => Analyze(Program("""
                Span<byte> s = stackalloc byte[16];
                uint i = Bpf.GetSmpProcessorId();
                s[3] = 1;
                s[(int)(i & 15)] = 2;
                for (int k = 0; k < s.Length; k++) s[k] = (byte)k;
                if ((uint)i < (uint)s.Length) s[(int)i] = 3;
        """));

    [Fact]
    public Task Span_index_out_of_range_is_flagged() => Analyze(Program("""
                Span<byte> s = stackalloc byte[16];
                int i = (int)Bpf.GetSmpProcessorId();
                {|CSBPF0019:s[i]|} = 1;
                if (i <= 16) {|CSBPF0019:s[i]|} = 2;
        """));

    // ---- CSBPF0014 ----

    [Fact]
    public Task Loops_with_provable_bounds_are_clean() => Analyze(Program("""
                ulong v = Bpf.KtimeGetNs();
                uint r = 0;
                for (int i = 0; i < 64; i++) { v >>= 1; if (v == 0) break; r++; }
                while (v != 0) { v >>= 1; r++; }
                uint n = Bpf.GetSmpProcessorId() & 63;
                for (uint j = 0; j < n; j++) r += j;
                int k = 0;
                while (true) { if (++k >= 10) break; r++; }
                int down = 100;
                do { down -= 3; } while (down > 0);
                Counts.Update(1, r);
        """));

    [Fact]
    public Task Loops_the_verifier_cannot_bound_are_flagged() => Analyze(Program("""
                uint x = Bpf.GetSmpProcessorId();
                uint r = 0;
                {|CSBPF0014:while|} (x != 0) { x = Bpf.GetSmpProcessorId(); r++; }
                uint n = (uint)Bpf.KtimeGetNs();
                {|CSBPF0014:for|} (uint j = 0; j < n; j++) r += j;
                Counts.Update(1, r);
        """));
}
