using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Tests.Differential;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace CsBpf.Compiler.Tests.Rules;

/// <summary>
/// One rule set, checked against the compiler and the kernel: over every sample, the tests' BPF programs, the
/// bench corpus and generated differential programs, "the analyzers report no error" ⇔ "the compiler, with
/// every analyzer bypassed, produces an object the kernel verifier accepts"; and for each rule a program it
/// flags is really refused without the rule — by the compiler's own check with the same ID (language rules),
/// or by the kernel verifier (verifier rules) — so no rule is decorative.
/// </summary>
public class RuleSetEquivalenceTests(ITestOutputHelper output)
{
    /// <summary>Every rule ID of the shared rule set.</summary>
    private static readonly IReadOnlySet<string> AllRules = RuleSetRunner.Analyzers
        .SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();

    private static IReadOnlyList<Diagnostic> AnalyzerErrors(CSharpCompilation compilation) =>
        RuleSetRunner.Run(compilation, CancellationToken.None).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    private static BpfCompilationResult CompileWithout(CSharpCompilation compilation, IReadOnlySet<string> rules) =>
        BpfCompiler.Compile(compilation, new BpfCompilerOptions { DisabledRules = rules });

    /// <summary>Loads every program of an object into the kernel; the verifier's refusal, or null.</summary>
    private static string? KernelRefusal(BpfObjectOutput obj)
    {
        using var bpf = BpfObject.Open(obj.Elf, "rules_" + Environment.ProcessId);
        try
        {
            bpf.Load();
            return null;
        }
        catch (BpfException e)
        {
            return e.Message;
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(RepoPaths.Root, path);

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        IEnumerable<string> Sources(string dir) => Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                .Where(p => File.ReadAllText(p).Contains("[BpfProgram", StringComparison.Ordinal))
            : [];
        foreach (string file in Sources(Path.Combine(RepoPaths.Root, "samples"))
                     .Concat(Sources(Path.Combine(RepoPaths.Root, "bench", "compiler", "corpus")))
                     .Concat(Sources(Path.Combine(RepoPaths.Root, "tests", "CsBpf.Guest.Tests", "Programs")))
                     .Order(StringComparer.Ordinal))
            data.Add(Relative(file));
        return data;
    }

    /// <summary>Programs of the repository: analyzer-clean, compiled to the same bytes with and without the
    /// rule set, and accepted by this kernel where their program type loads here.</summary>
    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_programs_are_clean_and_compile_and_load(string file)
    {
        string path = Path.Combine(RepoPaths.Root, file);
        CSharpCompilation compilation = TestCompiler.CreateCompilation(File.ReadAllText(path), path);
        // The SDK's implicit usings (the samples build with ImplicitUsings=enable).
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;",
            (CSharpParseOptions)compilation.SyntaxTrees[0].Options, Path.Combine(Path.GetDirectoryName(path)!, "ImplicitUsings.g.cs")));
        // A program's shared types (e.g. the guest programs' event structs) live beside it.
        foreach (string sibling in Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.cs").Where(f => f != path && !File.ReadAllText(f).Contains("[BpfProgram", StringComparison.Ordinal)))
            compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(File.ReadAllText(sibling), (CSharpParseOptions)compilation.SyntaxTrees[0].Options, sibling));
        Assert.Empty(AnalyzerErrors(compilation));
        var withRules = BpfCompiler.Compile(compilation, new BpfCompilerOptions());
        var without = CompileWithout(compilation, AllRules);
        Assert.True(without.Success, string.Join("\n", without.Diagnostics));
        Assert.True(withRules.Success, string.Join("\n", withRules.Diagnostics));
        Assert.Equal(without.Objects.Select(o => o.Elf), withRules.Objects.Select(o => o.Elf));

        // The guest programs (kprobe, fentry, LSM) attach only in the qemu guest; the rest load here.
        if (file.Contains("Guest.Tests", StringComparison.Ordinal)) return;
        KernelEnvironment.Require();
        foreach (BpfObjectOutput obj in without.Objects)
            Assert.True(KernelRefusal(obj) is null, $"{obj.ClassFullName}: {KernelRefusal(obj)}");
    }

    /// <summary>Generated differential programs, one class each: a class is flagged by the analyzers exactly when
    /// the compiler without them refuses it.</summary>
    [Fact]
    public void Generated_programs_are_flagged_exactly_when_the_compiler_refuses_them()
    {
        var generator = new ProgramGenerator(RandomProgramTests.FixedSeed + 7);
        var cases = Enumerable.Range(0, 300).Select(generator.Next).ToList();
        string source = DifferentialRunner.GenerateSource(cases);
        CSharpCompilation compilation = TestCompiler.CreateCompilation(source, TestCompiler.WriteSource(source));
        compilation.GetDiagnostics(); // bind first: the timing below is the rules' own cost
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var flagged = AnalyzerErrors(compilation).Select(d => ClassAt(source, d)).ToHashSet();
        output.WriteLine($"rule set over {cases.Count} classes: {clock.ElapsedMilliseconds} ms");
        var refused = CompileWithout(compilation, AllRules).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => ClassAt(source, d)).ToHashSet();
        output.WriteLine($"{cases.Count} programs, {flagged.Count} flagged, {refused.Count} refused");
        Assert.Equal(refused.Order(), flagged.Order());
    }

    /// <summary>A tracepoint program whose body is <paramref name="body"/>, with a <c>ulong r</c> it stores in a map
    /// (so nothing the body computes is dead).</summary>
    internal static string OpenatProgram(string body) => $$"""
        using System;
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Prog(TracepointContext ctx)
            {
                ulong r = 0;
                {{body}}
                Counts.Update(1, r);
                return 0;
            }
        }
        """;

    /// <summary>Divisions and indexes at the edge of what can be proven: the analyzers flag each one exactly when
    /// the compiler's own guard (LLVM's proof) refuses it — except where LLVM proves less than the analysis
    /// (<paramref name="agree"/> false: the compiler keeps the final word and refuses; the analyzers never flag
    /// what the compiler accepts).</summary>
    [Theory]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); r = a / (b | 1);")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); r = a / ((b & 7) + 1);")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); r = a / (1u << (int)(b & 7));")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); r = a / b;")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); if (b < 1) return 0; r = a % b;")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); b = b == 0 ? 1 : b; r = a / b;")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); uint c = b; if (c != 0) r = a / b;")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); bool ok = b != 0; if (ok) r = a / b;")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); if (b > 10) r = a / (b - 10);")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(), b = (uint)Bpf.KtimeGetNs(); if (b >= 10) r = a / (b - 9); else r = a / (b + 1);")]
    [InlineData(true, "int a = (int)Bpf.GetSmpProcessorId(), b = (int)Bpf.KtimeGetNs(); if (b == 0 || (a == int.MinValue && b == -1)) return 0; r = (ulong)(a / b);")]
    [InlineData(true, "int a = (int)Bpf.GetSmpProcessorId(), b = (int)Bpf.KtimeGetNs(); if (b != 0 && b != -1) r = (ulong)(a % b);")]
    [InlineData(true, "int a = (int)Bpf.GetSmpProcessorId(), b = (int)Bpf.KtimeGetNs(); if (b != 0) r = (ulong)(a / b);")]
    [InlineData(true, "short a = (short)Bpf.GetSmpProcessorId(), b = (short)Bpf.KtimeGetNs(); if (b != 0) r = (ulong)(a / b);")]
    [InlineData(true, "int a = (int)Bpf.GetSmpProcessorId(); r = (ulong)(a / -1);")]
    [InlineData(true, "int a = (int)(Bpf.GetSmpProcessorId() & 1023); r = (ulong)(a / -1);")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(); for (uint i = 1; i < 10; i++) r += a / i;")]
    [InlineData(true, "uint a = Bpf.GetSmpProcessorId(); for (uint i = 0; i < 10; i++) r += a / i;")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int i = (int)Bpf.GetSmpProcessorId(); s[i & 7] = 1; r = (ulong)s[(i >> 3) & 7];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int i = (int)Bpf.GetSmpProcessorId(); if (i >= 0 && i < 8) s[i] = 1; r = (ulong)s[0];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int i = (int)Bpf.GetSmpProcessorId(); if (i < 8) s[i] = 1; r = (ulong)s[0];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; for (int i = 0; i <= s.Length; i++) s[i & 7] += i; r = (ulong)s[1];")]
    [InlineData(true, "int a = (int)Bpf.GetSmpProcessorId(), b = (int)Bpf.KtimeGetNs(); r = (ulong)(a / (b | 1));")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int k = (int)(Bpf.GetSmpProcessorId() & 15); if (k > 0 && k <= s.Length) r = (ulong)s[^k];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int k = (int)(Bpf.GetSmpProcessorId() & 15); r = (ulong)s[^k];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int k = (int)(Bpf.GetSmpProcessorId() & 7); Span<int> t = s.Slice(k); if (t.Length > 0) r = (ulong)t[0];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int k = (int)(Bpf.GetSmpProcessorId() & 15); Span<int> t = s.Slice(k); r = (ulong)t.Length;")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int n = (int)(Bpf.GetSmpProcessorId() & 7); Span<int> t = s.Slice(1, n); if (n > 2) r = (ulong)t[2];")]
    [InlineData(true, "Span<int> s = stackalloc int[8]; int n = (int)(Bpf.GetSmpProcessorId() & 7); Span<int> t = s[..n]; r = (ulong)t[2];")]
    [InlineData(true, "TaskComm c = default; int i = (int)Bpf.GetSmpProcessorId(); if (i >= 0 && i <= 16) r = (ulong)c[i..].Length; r += c[^1];")]
    [InlineData(true, "TaskComm c = default; int i = (int)Bpf.GetSmpProcessorId(); r = (ulong)c[i..].Length;")]
    [InlineData(true, "TaskComm c = default; int i = (int)Bpf.GetSmpProcessorId(); c[i & 15] = 1; r = c[(i >> 4) & 31];")]
    public void Borderline_proofs_agree_with_the_compiler(bool agree, string body)
    {
        string source = OpenatProgram(body);
        CSharpCompilation compilation = TestCompiler.CreateCompilation(source);
        var flagged = AnalyzerErrors(compilation).Select(d => d.Id).Order().ToList();
        var refused = CompileWithout(compilation, AllRules).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Order().ToList();
        output.WriteLine($"{body}\n  analyzers: [{string.Join(", ", flagged)}], compiler: [{string.Join(", ", refused)}]");
        Assert.Subset(refused.ToHashSet(), flagged.ToHashSet());
        if (agree) Assert.Equal(refused, flagged);
        else Assert.NotEqual(refused, flagged);
    }

    /// <summary>XDP: a packet reference used without its bounds check (CSBPF0020) is refused by the verifier once
    /// the rule is bypassed; with the check the same program loads.</summary>
    [Fact]
    public void An_unchecked_packet_reference_is_refused_by_the_verifier_without_its_rule()
    {
        string Program(string check) => $$"""
            using System.Runtime.CompilerServices;
            using CsBpf;
            using CsBpf.Net;
            [BpfProgram(License = "GPL")]
            public static partial class F
            {
                [Xdp]
                static XdpAction Filter(XdpContext ctx)
                {
                    ref IPv4Header ip = ref ctx.GetRef<IPv4Header>(EthernetHeader.Size);
                    {{check}}
                    return ip.Protocol == 17 ? XdpAction.Drop : XdpAction.Pass;
                }
            }
            """;
        CSharpCompilation flagged = TestCompiler.CreateCompilation(Program(""));
        Assert.Equal(["CSBPF0020"], AnalyzerErrors(flagged).Select(d => d.Id));
        var result = CompileWithout(flagged, AllRules);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        KernelEnvironment.Require();
        string? refusal = KernelRefusal(Assert.Single(result.Objects));
        output.WriteLine(refusal);
        Assert.NotNull(refusal);

        CSharpCompilation checkedProgram = TestCompiler.CreateCompilation(Program("if (Unsafe.IsNullRef(ref ip)) return XdpAction.Pass;"));
        Assert.Empty(AnalyzerErrors(checkedProgram));
        Assert.Null(KernelRefusal(Assert.Single(CompileWithout(checkedProgram, AllRules).Objects)));
    }

    /// <summary>XDP: a packet reference used after bpf_xdp_adjust_head (CSBPF0021) is refused by the verifier once
    /// the rule is bypassed.</summary>
    [Fact]
    public void A_stale_packet_reference_is_refused_by_the_verifier_without_its_rule()
    {
        CSharpCompilation flagged = TestCompiler.CreateCompilation("""
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
                    ushort type = eth.EtherType;
                    if (ctx.AdjustHead(14) != 0) return XdpAction.Pass;
                    eth.EtherType = type;
                    return XdpAction.Pass;
                }
            }
            """);
        Assert.Equal(["CSBPF0021"], AnalyzerErrors(flagged).Select(d => d.Id));
        var result = CompileWithout(flagged, AllRules);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        KernelEnvironment.Require();
        string? refusal = KernelRefusal(Assert.Single(result.Objects));
        output.WriteLine(refusal);
        Assert.NotNull(refusal);
    }

    /// <summary>A rule of thumb can be overridden in the source: the compiler honours #pragma warning disable.</summary>
    [Fact]
    public void A_pragma_suppresses_a_rule_in_the_compiler_too()
    {
        string body = "uint x = Bpf.GetSmpProcessorId(); uint r = 0; while (x > 1) { x >>= 1; x |= (uint)(r & 1); r++; } Counts.Update(1, r);";
        string source = $$"""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
                [Tracepoint("syscalls", "sys_enter_openat")]
                static int Prog(TracepointContext ctx)
                {
            #pragma warning disable CSBPF0014 // x halves each time
                    {{body}}
            #pragma warning restore CSBPF0014
                    return 0;
                }
            }
            """;
        Assert.Contains(AnalyzerErrors(TestCompiler.CreateCompilation(source.Replace("#pragma", "// #pragma"))), d => d.Id == "CSBPF0014");
        var result = BpfCompiler.Compile(TestCompiler.CreateCompilation(source), new BpfCompilerOptions());
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    private static string ClassAt(string source, Diagnostic d)
    {
        string[] lines = source.Split('\n');
        for (int l = d.Location.GetLineSpan().StartLinePosition.Line; l >= 0; l--)
            if (lines[l].StartsWith("public static partial class ", StringComparison.Ordinal)) return lines[l].Trim();
        return "?";
    }

    /// <summary>How a flagged program fails once its rule is bypassed.</summary>
    public enum Without
    {
        /// <summary>The compiler's own check refuses it with the same ID.</summary>
        CompilerSameId,
        /// <summary>The compiler refuses it (its own check has another ID or is a declaration check).</summary>
        Compiler,
        /// <summary>The compiler produces an object; the kernel verifier refuses it.</summary>
        Kernel,
    }

    public static TheoryData<string, Without, string, string> FlaggedPrograms() => new()
    {
        { "CSBPF0001", Without.CompilerSameId, "object o = new object();", "" },
        { "CSBPF0002", Without.CompilerSameId, "Counts.TryGetValue(1, out ulong x); string s = \"n=\" + x;", "" },
        { "CSBPF0003", Without.CompilerSameId, "try { Counts.Delete(1); } catch { }", "" },
        { "CSBPF0004", Without.CompilerSameId, "Counts.Update(1, (ulong)Bpf.GetSmpProcessorId().GetHashCode());", "" },
        { "CSBPF0005", Without.CompilerSameId, "Func<int> f = () => 1;", "" },
        { "CSBPF0006", Without.CompilerSameId, "Counts.Update(1, (ulong)System.Linq.Enumerable.Count(System.Linq.Enumerable.Range(0, 3)));", "" },
        { "CSBPF0007", Without.CompilerSameId, "foreach (uint k in Items()) Counts.Update(k, 1);", "static System.Collections.Generic.IEnumerable<uint> Items() { yield return 1; }" },
        { "CSBPF0008", Without.CompilerSameId, "Counts.Update(1, Fact(5));", "static ulong Fact(ulong n) => n <= 1 ? 1 : n * Fact(n - 1);" },
        { "CSBPF0009", Without.CompilerSameId, "double d = Bpf.GetSmpProcessorId();", "" },
        { "CSBPF1150", Without.CompilerSameId, "", "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] public struct Shuffled { public byte A; public ulong B; }\n[Map] static readonly HashMap<uint, Shuffled> Shuffles = new(maxEntries: 4);" },
        { "CSBPF0011", Without.CompilerSameId, "int a = (int)Bpf.GetSmpProcessorId(); checked { Counts.Update(1, (ulong)(a + 1)); }", "" },
        { "CSBPF0012", Without.CompilerSameId, "lock (Counts) { Counts.Delete(1); }", "" },
        { "CSBPF0013", Without.CompilerSameId, "Counts.Update(1, Bpf.GetSmpProcessorId() switch { 0 => 1UL, 1 => 2UL });", "" },
        { "CSBPF0014", Without.Kernel, "uint x = Bpf.GetSmpProcessorId(); while (x != 0) x = Bpf.GetSmpProcessorId();", "" },
        { "CSBPF0014", Without.Kernel, "uint n = (uint)Bpf.KtimeGetNs(); for (uint j = 0; j < n; j++) Counts.Update(j, j);", "" },
        { "CSBPF0015", Without.CompilerSameId, "Span<ulong> a = stackalloc ulong[70]; a[(int)(Bpf.GetSmpProcessorId() & 63)] = 1; Counts.Update(1, a[3]);", "" },
        { "CSBPF0015", Without.Kernel, "Span<ulong> a = stackalloc ulong[36]; a[(int)(Bpf.GetSmpProcessorId() & 31)] = 1; Counts.Update(1, a[3] + Inner(a[5]));",
            "[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]\nstatic ulong Inner(ulong x) { Span<ulong> b = stackalloc ulong[36]; b[(int)(x & 31)] = x; return b[7]; }" },
        { "CSBPF0016", Without.Kernel, "ref ulong n = ref Counts.GetValueRefOrNullRef(1); n++;", "" },
        { "CSBPF0016", Without.Kernel, "ref ulong n = ref Counts.GetValueRefOrNullRef(1); if (Unsafe.IsNullRef(ref n)) Counts.Update(1, 1); Interlocked.Increment(ref n);", "" },
        { "CSBPF0016", Without.Kernel, "ref ulong r = ref Events.Reserve<ulong>(); r = Bpf.KtimeGetNs(); Events.Submit(ref r);", "[Map] static readonly RingBuffer Events = new(sizeBytes: 4096);" },
        // The record leaves with `return 1` still reserved: "Unreleased reference" once the rule is bypassed.
        { "CSBPF0061", Without.Kernel, "ref ulong r = ref Events.Reserve<ulong>(); if (Unsafe.IsNullRef(ref r)) return 0; r = Bpf.KtimeGetNs(); if (Bpf.GetSmpProcessorId() == 0) return 1; Events.Submit(ref r);", "[Map] static readonly RingBuffer Events = new(sizeBytes: 4096);" },
        { "CSBPF0017", Without.CompilerSameId, "uint d = Bpf.GetSmpProcessorId(); Counts.Update(1, 100 / d);", "" },
        { "CSBPF0018", Without.CompilerSameId, "int a = (int)Bpf.GetSmpProcessorId(); int b = (int)Bpf.KtimeGetNs(); if (b != 0) Counts.Update(1, (ulong)(a / b));", "" },
        { "CSBPF0019", Without.CompilerSameId, "Span<int> s = stackalloc int[4]; s[(int)Bpf.GetSmpProcessorId()] = 1; Counts.Update(1, (ulong)s[0]);", "" },
        { "CSBPF1003", Without.CompilerSameId, "Console.WriteLine(1);", "" },
        { "CSBPF1003", Without.CompilerSameId, "var k = new LpmKey<uint>(8, 10); Counts.Update(1, k == k ? 1UL : 0UL);", "" },
        { "CSBPF1030", Without.CompilerSameId, "Counts.Update(1, Same(2UL));", "static T Same<T>(T v) => v;" },
        // The language's newer forms: refused by the analyzers exactly as by the compiler.
        { "CSBPF1001", Without.CompilerSameId, "ulong acc = 0; Bpf.Loop(4, (uint i, ref ulong a) => 0, ref acc); Counts.Update(1, acc);", "" },
        { "CSBPF1001", Without.CompilerSameId, "Range r = 1..2; Counts.Update(1, 2);", "" },
        { "CSBPF1003", Without.CompilerSameId, "Index x = 3; Counts.Update(1, 2);", "" },
        { "CSBPF1001", Without.CompilerSameId, "int n = (int)Bpf.GetSmpProcessorId() & 3; Span<byte> b = stackalloc byte[n]; Counts.Update(1, (ulong)b.Length);", "" },
        { "CSBPF1001", Without.CompilerSameId, "Span<byte> b = stackalloc byte[8]; Unsafe.CopyBlock(ref b[0], ref b[4], (uint)Bpf.GetSmpProcessorId() & 3); Counts.Update(1, b[0]);", "" },
        { "CSBPF0019", Without.CompilerSameId, "TaskComm c = default; int i = (int)Bpf.GetSmpProcessorId(); c[i] = 1; Counts.Update(1, c[0]);", "" },
        { "CSBPF0019", Without.CompilerSameId, "TaskComm c = default; int i = (int)Bpf.GetSmpProcessorId(); Span<byte> t = c[i..]; Counts.Update(1, (ulong)t.Length);", "" },
        { "CSBPF0019", Without.CompilerSameId, "Span<ulong> s = stackalloc ulong[8]; Span<ulong> t = s.Slice((int)Bpf.GetSmpProcessorId() & 15); Counts.Update(1, (ulong)t.Length);", "" },
        { "CSBPF0015", Without.Kernel, "Span<ulong> a = stackalloc ulong[36]; a[(int)(Bpf.GetSmpProcessorId() & 31)] = 1; ulong acc = a[3]; Bpf.Loop(2, Step, ref acc); Counts.Update(1, acc);",
            "static long Step(uint i, ref ulong acc) { Span<ulong> b = stackalloc ulong[36]; b[(int)(acc & 31)] = acc; acc += b[7]; return 0; }" },
    };

    [Theory]
    [MemberData(nameof(FlaggedPrograms))]
    public void A_flagged_program_is_refused_without_its_rule(string id, Without without, string body, string members)
    {
        string source = $$"""
            using System;
            using System.Runtime.CompilerServices;
            using System.Threading;
            using CsBpf;

            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
            {{members}}
                [Tracepoint("syscalls", "sys_enter_openat")]
                static int Prog(TracepointContext ctx)
                {
            {{body}}
                    return 0;
                }
            }
            """;
        CSharpCompilation compilation = TestCompiler.CreateCompilation(source);
        var errors = AnalyzerErrors(compilation);
        Assert.Contains(errors, d => d.Id == id);
        Assert.All(errors, d => Assert.Equal(id, d.Id));

        var result = CompileWithout(compilation, new HashSet<string> { id });
        output.WriteLine(string.Join("\n", result.Diagnostics));
        switch (without)
        {
            case Without.CompilerSameId:
                Assert.False(result.Success);
                Assert.Contains(result.Diagnostics, d => d.Id == id);
                break;
            case Without.Compiler:
                Assert.False(result.Success);
                break;
            case Without.Kernel:
                Assert.True(result.Success, string.Join("\n", result.Diagnostics));
                KernelEnvironment.Require();
                string? refusal = KernelRefusal(Assert.Single(result.Objects));
                output.WriteLine(refusal);
                Assert.NotNull(refusal);
                break;
        }
    }
}
