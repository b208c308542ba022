using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace CsBpf.Maps.Tests;

/// <summary>Map declarations and uses the kernel or libbpf would refuse are compile-time diagnostics (CSBPF0060,
/// CSBPF1150–CSBPF1156) at the right place, and valid ones compile.</summary>
public sealed class MapDiagnosticsTests
{
    private static string Program(string maps, string body = "return 0;", string extra = "") => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            public struct Args { public uint Key; public ulong Value; }
            public struct Big { public Inline512 A; public ulong B; }
            [InlineArray(512)] public struct Inline512 { private byte _e; }
            [InlineArray(300)] public struct Inline300 { private byte _e; }
            [InlineArray(16)] public struct Ipv6 { private byte _e; }
            public struct Huge { public Inline300 A; }
            public struct Event { public Inline5000 Payload; }
            [InlineArray(5000)] public struct Inline5000 { private byte _e; }
            {{maps}}
            [Syscall] static int Run(ref Args a) { {{body}} }
            {{extra}}
        }
        """;

    private static Diagnostic Single(string source, string id)
    {
        var errors = MapPrograms.Compile(source).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 1 && errors[0].Id == id, $"expected one {id}, got:\n{string.Join("\n", errors.Select(e => e.ToString()))}");
        return errors[0];
    }

    [Theory]
    [InlineData("[Map] static readonly HashMap<uint, ulong> M = new(maxEntries: 0);", "between 1 and 4294967295")]
    [InlineData("static int n = 4; [Map] static readonly ArrayMap<ulong> M = new(maxEntries: n);", "cannot be computed at run time")]
    [InlineData("[Map] static readonly QueueMap<ulong> M = new(maxEntries: -1);", "not -1")]
    [InlineData("[Map] static readonly StackTraceMap M = new(maxEntries: 16, maxDepth: 200);", "between 1 and 127")]
    [InlineData("[Map] static readonly PerfEventArray M = new(maxEntries: -2);", "between 0 and")]
    public void Invalid_sizes_are_CSBPF1151(string maps, string message)
    {
        var d = Single(Program(maps), "CSBPF1151");
        Assert.Contains(message, d.GetMessage());
        Assert.Equal("M", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(2048)]
    [InlineData(1 << 12 | 1)]
    public void Ring_buffer_sizes_must_be_page_multiples_and_powers_of_two(int size)
    {
        var d = Single(Program($"[Map] static readonly RingBuffer M = new(sizeBytes: {size});"), "CSBPF1152");
        Assert.Contains(size.ToString(System.Globalization.CultureInfo.InvariantCulture), d.GetMessage());
    }

    [Theory]
    [InlineData("LpmTrieMap<ulong, uint>", "8-byte aligned")]
    [InlineData("LpmTrieMap<Huge, uint>", "300 bytes")]
    public void Lpm_data_must_follow_the_prefix_length_and_fit(string type, string message)
    {
        var d = Single(Program($"[Map] static readonly {type} M = new(maxEntries: 8);"), "CSBPF1153");
        Assert.Contains(message, d.GetMessage());
    }

    [Fact]
    public void Lpm_with_byte_array_data_compiles()
    {
        var result = MapPrograms.Compile(Program("[Map] static readonly LpmTrieMap<Ipv6, uint> V6 = new(maxEntries: 8); [Map] static readonly LpmTrieMap<uint, uint> V4 = new(maxEntries: 8);"));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    [Theory]
    [InlineData("[Map] static readonly HashMap<Big, ulong> M = new(maxEntries: 8);", "512 bytes")]
    [InlineData("[Map] static readonly PerCpuArrayMap<Inline512x> M = new(maxEntries: 8);", "32768 bytes")]
    [InlineData("[Map] static readonly HashMap<uint, TracepointContext> M = new(maxEntries: 8);", "only exists while a program runs")]
    [InlineData("[Map] static readonly HashMap<uint, double> M = new(maxEntries: 8);", "floating point")]
    public void Invalid_keys_and_values_are_CSBPF1150(string maps, string message)
    {
        string extra = "[InlineArray(40000)] public struct Inline512x { private byte _e; }";
        var d = Single(Program(maps, extra: extra), "CSBPF1150");
        Assert.Contains(message, d.GetMessage());
    }

    [Theory]
    [InlineData("[Map] static readonly ArrayOfMaps<ArrayMap<ulong>> M = new(4, null!);", "declare the inner map template")]
    [InlineData("[Map] static readonly ArrayOfMaps<ArrayOfMaps<ArrayMap<ulong>>> M = new(4, new(4, new(4)));", "one level")]
    [InlineData("[Map] static readonly HashOfMaps<uint, ProgramArray> M = new(4, new(4));", "program array")]
    [InlineData("[Map] static readonly ArrayOfMaps<string> M = new(4, \"x\");", "not a BPF map type")]
    [InlineData("[Map] static readonly ArrayOfMaps<ArrayMap<ulong>> M = new(4, new(maxEntries: 0));", "inner map")]
    public void Invalid_inner_maps_are_reported(string maps, string message)
    {
        var errors = MapPrograms.Compile(Program(maps)).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        var d = Assert.Single(errors);
        Assert.Contains(d.Id, new[] { "CSBPF1154", "CSBPF1151" });
        Assert.Contains(message, d.GetMessage());
    }

    [Theory]
    [InlineData("[Map(Flags = MapFlags.Mmapable)] static readonly HashMap<uint, ulong> M = new(maxEntries: 8);", "MapFlags.Mmapable")]
    [InlineData("[Map(Flags = MapFlags.NoPrealloc)] static readonly LruHashMap<uint, ulong> M = new(maxEntries: 8);", "MapFlags.NoPrealloc")]
    [InlineData("[Map(Flags = MapFlags.NoCommonLru)] static readonly HashMap<uint, ulong> M = new(maxEntries: 8);", "MapFlags.NoCommonLru")]
    [InlineData("[Map(Flags = MapFlags.ReadOnlyProgram)] static readonly ProgramArray M = new(maxEntries: 8);", "MapFlags.ReadOnlyProgram")]
    [InlineData("[Map(Flags = MapFlags.NoPrealloc)] static readonly RingBuffer M = new(sizeBytes: 4096);", "ring buffer maps do not accept")]
    [InlineData("[Map(Flags = MapFlags.NumaNode)] static readonly HashMap<uint, ulong> M = new(maxEntries: 8);", "set NumaNode = n")]
    [InlineData("[Map(NumaNode = -5)] static readonly HashMap<uint, ulong> M = new(maxEntries: 8);", "not -5")]
    [InlineData("[Map(Pinning = (MapPinning)2)] static readonly HashMap<uint, ulong> M = new(maxEntries: 8);", "not 2")]
    public void Flags_the_map_type_refuses_are_CSBPF1155(string maps, string message)
    {
        var d = Single(Program(maps), "CSBPF1155");
        Assert.Contains(message, d.GetMessage());
    }

    [Fact]
    public void A_ring_buffer_record_larger_than_the_ring_is_CSBPF1156_at_the_call()
    {
        var d = Single(Program("[Map] static readonly RingBuffer Ring = new(sizeBytes: 4096);",
            "ref Event e = ref Ring.Reserve<Event>(); if (Unsafe.IsNullRef(ref e)) return 0; Ring.Submit(ref e); return 0;"), "CSBPF1156");
        Assert.Contains("Ring.Reserve<Event>()", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Contains("5008 bytes", d.GetMessage());
        Assert.DoesNotContain(MapPrograms.Compile(Program("[Map] static readonly RingBuffer Ring = new(sizeBytes: 8192);",
            "ref Event e = ref Ring.Reserve<Event>(); if (Unsafe.IsNullRef(ref e)) return 0; Ring.Submit(ref e); return 0;")).Diagnostics, x => x.Id == "CSBPF1156");
    }

    [Theory]
    [InlineData("LpmTrieMap<uint, ulong>", "new(maxEntries: 8)", "LpmKey<uint> k = default; M.Update(k, 1);", "an LPM trie map")]
    [InlineData("PerfEventArray", "new()", "M.Output(ref a, a.Value);", "a perf event array map")]
    [InlineData("StackTraceMap", "new(maxEntries: 8)", "M.GetStackId(ref a);", "a stack trace map")]
    [InlineData("ProgramArray", "new(maxEntries: 8)", "M.TailCall(ref a, 0);", "a program array map")]
    public void Sleepable_programs_may_not_use_some_map_types_CSBPF0060(string type, string init, string use, string what)
    {
        var d = Single(Program($"[Map] static readonly {type} M = {init};", "Helper(ref a); return 0;", $"static void Helper(ref Args a) {{ {use} }}"), "CSBPF0060");
        Assert.Contains(what, d.GetMessage());
        Assert.Contains("'Run' (syscall)", d.GetMessage());
        Assert.StartsWith("M.", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public void Sleepable_programs_may_not_use_inner_maps_of_refused_types_but_tracepoints_may()
    {
        var d = Single(Program("[Map] static readonly ArrayOfMaps<LpmTrieMap<uint, ulong>> M = new(4, new(8));",
            "if (M.TryGetMap(0, out var t)) { LpmKey<uint> k = default; t.Update(k, 1); } return 0;"), "CSBPF0060");
        Assert.Contains("as its inner map", d.GetMessage());
        var ok = MapPrograms.Compile(Program("[Map] static readonly LpmTrieMap<uint, ulong> L = new(maxEntries: 8);", "return 0;",
            "[Tracepoint(\"syscalls\", \"sys_enter_getppid\")] static int T(TracepointContext c) { LpmKey<uint> k = default; L.Update(k, 1); return 0; }"));
        Assert.True(ok.Success, string.Join("\n", ok.Diagnostics));
    }

    [Theory]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) return 0; e.A = 1; if (a.Key == 0) return 1; Ring.Submit(ref e); return 0;", 1)]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (!Unsafe.IsNullRef(ref e)) { e.A = 2; if (a.Key > 3) Ring.Discard(ref e); } return 0;", 1)]
    [InlineData("for (int i = 0; i < 4; i++) { ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) break; e.A = (uint)i; if (i == 2) continue; Ring.Submit(ref e); } return 0;", 1)]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); ref Small f = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) { if (!Unsafe.IsNullRef(ref f)) Ring.Discard(ref f); return 0; } Ring.Submit(ref e); return 0;", 1)]
    public void A_reservation_not_released_on_every_path_is_CSBPF0061(string body, int count)
    {
        var errors = MapPrograms.Compile(Program("[Map] static readonly RingBuffer Ring = new(sizeBytes: 4096);", body, "public struct Small { public uint A; }"))
            .Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == count && errors.All(e => e.Id == "CSBPF0061"), string.Join("\n", errors.Select(e => e.ToString())));
        Assert.Contains("Ring.Reserve<Small>()", errors[0].Location.SourceTree!.GetText().ToString(errors[0].Location.SourceSpan));
    }

    [Theory]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) return 0; e.A = 1; if (a.Key == 0) { Ring.Discard(ref e); return 1; } Ring.Submit(ref e); return 0;")]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (!Unsafe.IsNullRef(ref e)) { e.A = 2; if (a.Key > 3) Ring.Discard(ref e); else Ring.Submit(ref e, RingBufferFlags.ForceWakeup); } return 0;")]
    [InlineData("for (int i = 0; i < 4; i++) { ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) break; e.A = (uint)i; if (i == 2) { Ring.Discard(ref e); continue; } Ring.Submit(ref e); } return 0;")]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e) || a.Key == 7) { if (!Unsafe.IsNullRef(ref e)) Ring.Discard(ref e); return 0; } Ring.Submit(ref e); return 0;")]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) return 0; Finish(ref e); return 0;")]
    // The shapes the CSBPF0061 code fix writes (tests/CsBpf.Analyzers.Tests RingBufferReservationTests): a missing else,
    // a release before a return in a loop that a break leaves towards a Submit, at the end of a loop body, in a callback.
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) return 0; if (a.Key == 1) e.A = 5; if (a.Key == 2) Ring.Submit(ref e); else { Ring.Discard(ref e); } return 0;")]
    [InlineData("ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) return 0; for (int i = 0; i < 4; i++) { if (i == (int)a.Key) break; if (i == 3) { Ring.Discard(ref e); return 1; } } Ring.Submit(ref e); return 0;")]
    [InlineData("for (int i = 0; i < 4; i++) { ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) break; e.A = (uint)i; Ring.Discard(ref e); } return 0;")]
    [InlineData("ulong acc = a.Value; Bpf.Loop(4, static (uint i, ref ulong x) => { ref Small e = ref Ring.Reserve<Small>(); if (Unsafe.IsNullRef(ref e)) return 1; e.A = (uint)x; Ring.Discard(ref e); return 0; }, ref acc); return 0;")]
    public void Reservations_released_on_every_path_compile_and_pass_the_verifier(string body)
    {
        KernelEnvironment.Require();
        using var obj = MapPrograms.Load(Program("[Map] static readonly RingBuffer Ring = new(sizeBytes: 4096);", body,
            "public struct Small { public uint A; } static void Finish(ref Small s) { Ring.Submit(ref s); }"), "released");
        Assert.True(obj.IsLoaded);
    }

    [Fact]
    public void A_local_passed_as_the_program_context_is_refused()
    {
        var d = Single(Program("[Map] static readonly ProgramArray M = new(maxEntries: 8);", "return 0;",
            "[Tracepoint(\"syscalls\", \"sys_enter_getppid\")] static int T(TracepointContext c) { Args local = default; M.TailCall(ref local, 0); return 0; }"), "CSBPF1001");
        Assert.Contains("passing 'local' as the program context", d.GetMessage());
    }

    [Fact]
    public void Map_types_of_the_old_ID_CSBPF1005_still_report_there()
    {
        Single(Program("[Map] static HashMap<uint, ulong> M = new(maxEntries: 8);"), "CSBPF1005");
        Single(Program("[Map] static readonly System.Collections.Generic.List<int> M = new();"), "CSBPF1005");
    }

    [Fact]
    public void Objects_are_byte_identical_across_compilations()
    {
        string source = Program("""
            [Map(Pinning = MapPinning.ByName, Flags = MapFlags.NoPrealloc)] static readonly HashMap<uint, ulong> H = new(maxEntries: 8);
            [Map] static readonly ArrayOfMaps<HashMap<uint, ulong>> O = new(4, new(16));
            [Map] static readonly RingBuffer R = new(sizeBytes: 4096);
            [Map] static readonly StackTraceMap S = new(maxEntries: 8, maxDepth: 20);
            [Map] static readonly LpmTrieMap<Ipv6, uint> L = new(maxEntries: 8);
            """, "if (O.TryGetMap(a.Key, out var m)) m.Update(1, 2); R.Output(a.Value); return 0;");
        byte[] first = Assert.Single(MapPrograms.Compile(source).Objects).Elf;
        byte[] second = Assert.Single(MapPrograms.Compile(source).Objects).Elf;
        Assert.Equal(first, second);
    }
}
