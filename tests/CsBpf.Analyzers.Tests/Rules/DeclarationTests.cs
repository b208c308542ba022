using CsBpf.Analyzers.Rules;
using static CsBpf.Analyzers.Tests.Rules.RuleTest;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>DeclarationAnalyzer: license (CSBPF1004), maps (1005), key and value types (1150), program
/// a class without programs (1006), globals (1001/1002/0009).</summary>
public class DeclarationTests
{
    private static Task Analyze(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        AnalyzeAsync<DeclarationAnalyzer>(source, expected);

    private const string Usings = "using System.Runtime.InteropServices;\nusing CsBpf;\n";

    [Fact]
    public Task Valid_declarations_are_clean() => Analyze(Usings + """
        public struct Key { public uint Pid; public ushort Cpu; }
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<Key, ulong> Counts = new(maxEntries: 16);
            [Map] static readonly ArrayMap<TaskComm> Names = new(maxEntries: 4);
            static readonly uint Limit = 5;
            static ulong total;
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
            [Kprobe("do_sys_openat2")] static int B(int dfd, nint name) => 0;
            [Syscall] static int C(ref Key k) => 0;
        }
        """);

    [Fact]
    public Task Missing_license_is_flagged_on_the_attribute() => Analyze(Usings + """
        [{|CSBPF1004:BpfProgram|}]
        public static partial class P
        {
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """);

    [Fact]
    public Task Malformed_maps_are_flagged() => Analyze(Usings + """
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static HashMap<uint, ulong> {|CSBPF1005:NotReadonly|} = new(maxEntries: 1);
            [Map] static readonly System.Collections.Generic.List<int> {|CSBPF1005:NotAMap|} = new();
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """);

    [Fact]
    public Task Map_types_that_are_not_plain_data_are_flagged() => Analyze(Usings + """
        {|#4:[StructLayout(LayoutKind.Auto)] public struct Shuffled { public byte A; public ulong B; }|}
        public struct Outer { public uint Id; public Shuffled Inner; }
        public struct Measured { public uint Id; public double Value; }
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<uint, Outer> {|#1:B|} = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Measured> {|#2:C|} = new(maxEntries: 1);
            [Tracepoint("syscalls", "sys_enter_openat")] static int Prog(TracepointContext ctx) => 0;
        }
        """,
        Expect("CSBPF1150", 1).WithLocation(4).WithArguments("B", "the value type 'Outer' is not plain data the kernel and the host can share: 'Shuffled' has auto layout, so the CLR may reorder its fields; use [StructLayout(LayoutKind.Sequential)] (the default)"),
        Expect("CSBPF1150", 2).WithArguments("C", "the value type 'Measured' is not plain data the kernel and the host can share: its field 'Value' is not plain data: 'double' is floating point, which the kernel does not allow in BPF programs; use an integer (e.g. fixed point)"));

    /// <summary>The compiler lays these out byte for byte as the CLR does (TypeMapper.Layouts), so they are map
    /// keys and values like any sequential struct.</summary>
    [Fact]
    public Task Explicit_packed_and_fixed_buffer_layouts_are_plain_data() => Analyze(Usings + """
        [StructLayout(LayoutKind.Explicit)] public struct Union { [FieldOffset(0)] public uint A; [FieldOffset(0)] public ulong B; }
        [StructLayout(LayoutKind.Sequential, Pack = 1, Size = 24)] public struct Packed { public byte A; public ulong B; }
        public unsafe struct Named { public int Kind; public fixed byte Name[16]; }
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<Union, Packed> A = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Named> B = new(maxEntries: 1);
            [Tracepoint("syscalls", "sys_enter_openat")] static int Prog(TracepointContext ctx) => 0;
        }
        """);

    [Fact]
    public Task A_class_without_programs_is_flagged() => Analyze(Usings + """
        [BpfProgram(License = "GPL")]
        public static partial class {|CSBPF1006:P|}
        {
            static int Helper() => 0;
        }
        """);

    [Fact]
    public Task Non_constant_global_initializers_are_flagged() => Analyze(Usings + """
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            static ulong start = {|CSBPF1001:(ulong)System.Environment.TickCount|};
            static readonly string {|CSBPF1002:Name|} = "n";
            static double {|CSBPF0009:ratio|};
            [Tracepoint("syscalls", "sys_enter_openat")] static int A(TracepointContext ctx) => 0;
        }
        """);
}
