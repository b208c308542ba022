using System.Reflection;
using System.Runtime.Loader;
using CsBpf.Analyzers.Generators;
using CsBpf.Compiler;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CsBpf.Analyzers.Tests.Generators;

/// <summary>
/// The loader's global-variable properties, map properties typed from the program-side class's
/// <c>[BpfHostView]</c> (ring buffers, perf arrays and any map kind added later), and <c>StartLogging</c> for
/// classes that call <c>BpfLog</c>: the generated text, that it compiles against the real runtime, and a run in
/// the kernel of an object compiled by csbpf's compiler with host code written against the generated loader.
/// </summary>
public class LoaderGlobalsAndViewsTests
{
    private const string ViewsSource =
        """
        using CsBpf;

        namespace CsBpf.Tests
        {
            // Map kinds declared outside the table: their host views come from the attribute alone.
            [BpfHostView("CsBpf.Runtime.BpfRingBuffer", "GetRingBuffer")]
            public sealed class TestRing { public TestRing(int maxEntries) { } }

            [BpfHostView("CsBpf.Runtime.BpfPerfEventArray", "GetPerfEventArray")]
            public sealed class TestPerf<T> where T : unmanaged { public TestPerf(int maxEntries) { } }

            [BpfHostView("CsBpf.Runtime.BpfPerCpuHashMap`2", "GetPerCpuHashMap")]
            public sealed class TestPerCpuHash<TKey, TValue> where TKey : unmanaged where TValue : unmanaged { public TestPerCpuHash(int maxEntries) { } }
        }

        namespace Samples
        {
            using CsBpf.Tests;

            [BpfProgram(License = "GPL")]
            public static partial class Configured
            {
                public enum Mode : byte { Off, On }
                [Map] static readonly TestRing Events = new(4096);
                [Map] static readonly TestPerf<ulong> Samples = new(4);
                [Map] static readonly TestPerCpuHash<uint, long> PerCpu = new(8);
                static readonly uint Threshold = 10;
                static readonly Mode Switch;
                static ulong Hits;
                static long @checked = 5;
                const int NotAGlobal = 3;

                [Tracepoint("syscalls", "sys_enter_openat")]
                static int OnOpenat(TracepointContext ctx)
                {
                    BpfLog.Info($"threshold {Threshold}");
                    return 0;
                }
            }
        }
        """;

    [Fact]
    public void Globals_host_views_and_logging_are_generated()
    {
        var (sources, output, diagnostics) = GeneratorHarness.Run(ViewsSource);
        Assert.Empty(diagnostics);
        Assert.Empty(ProblemsBesidesHostSetGlobals(output));
        var text = Assert.Single(sources).Value.Replace("\r\n", "\n");
        Assert.Equal(ExpectedConfigured.Replace("{VERSION}", LoaderEmitter.ToolVersion), ExtractSkeleton(text));

        var skeleton = output.GetTypeByMetadataName("Samples.Configured+Skeleton")!;
        string TypeOf(string member) => skeleton.GetMembers(member).OfType<IPropertySymbol>().Single().Type.ToDisplayString();
        Assert.Equal("CsBpf.Runtime.BpfRingBuffer", TypeOf("Events"));
        Assert.Equal("CsBpf.Runtime.BpfPerfEventArray", TypeOf("Samples"));
        Assert.Equal("CsBpf.Runtime.BpfPerCpuHashMap<uint, long>", TypeOf("PerCpu"));
        Assert.Equal("uint", TypeOf("Threshold"));
        Assert.Equal("Samples.Configured.Mode", TypeOf("Switch"));
        Assert.Equal("ulong", TypeOf("Hits"));
        Assert.Equal("long", TypeOf("checked"));
        Assert.Empty(skeleton.GetMembers("NotAGlobal"));
        Assert.Equal(2, skeleton.GetMembers("StartLogging").Length);
    }

    [Fact]
    public void Map_kinds_without_the_attribute_fall_back_to_the_table()
    {
        const string source =
            """
            namespace CsBpf
            {
                public sealed class RingBuffer { public RingBuffer(int sizeBytes) { } }
                public sealed class PerCpuArrayMap<T> where T : unmanaged { public PerCpuArrayMap(int maxEntries) { } }
            }
            namespace Samples
            {
                using CsBpf;
                [BpfProgram(License = "GPL")]
                public static partial class Fallback
                {
                    [Map] static readonly RingBuffer Events = new(4096);
                    [Map] static readonly PerCpuArrayMap<long> Counters = new(4);
                    [Tracepoint("syscalls", "sys_enter_openat")] static int On(TracepointContext ctx) => 0;
                }
            }
            """;
        var (sources, _, _) = GeneratorHarness.Run(source);
        var text = Assert.Single(sources).Value;
        Assert.Contains("public global::CsBpf.Runtime.BpfRingBuffer Events => __map_Events ??= Object.GetRingBuffer(\"Events\");", text);
        Assert.Contains("public global::CsBpf.Runtime.BpfPerCpuArrayMap<long> Counters => __map_Counters ??= Object.GetPerCpuArrayMap<long>(\"Counters\");", text);
    }

    [Fact]
    public void A_class_without_BpfLog_calls_gets_no_StartLogging()
    {
        var (sources, output, _) = GeneratorHarness.Run(Samples.OpenCount);
        Assert.Single(sources);
        Assert.Empty(output.GetTypeByMetadataName("Samples.OpenCount+Skeleton")!.GetMembers("StartLogging"));
    }

    /// <summary>
    /// The compilation's problems, without the "never assigned / never used" warnings of BPF globals, which only
    /// the host (or the BPF code) sets: <see cref="BpfGlobalSuppressor"/> suppresses those in a real build.
    /// </summary>
    private static string[] ProblemsBesidesHostSetGlobals(Compilation output) =>
        [.. GeneratorHarness.Problems(output).Where(p => !p.Contains("CS0649") && !p.Contains("CS0169") && !p.Contains("CS0414"))];

    /// <summary>The skeleton's members after the constructor (the part these features add to).</summary>
    private static string ExtractSkeleton(string text)
    {
        var start = text.IndexOf("        public sealed partial class Skeleton", StringComparison.Ordinal);
        return text[start..];
    }

    private const string ExpectedConfigured =
        """
                public sealed partial class Skeleton : global::System.IDisposable
                {
                    private global::CsBpf.Runtime.BpfRingBuffer? __map_Events;
                    private global::CsBpf.Runtime.BpfPerfEventArray? __map_Samples;
                    private global::CsBpf.Runtime.BpfPerCpuHashMap<uint, long>? __map_PerCpu;
                    private global::CsBpf.Runtime.BpfProgramHandle? __prog_OnOpenat;
                    private global::CsBpf.Runtime.BpfGlobal<uint>? __global_Threshold;
                    private global::CsBpf.Runtime.BpfGlobal<global::Samples.Configured.Mode>? __global_Switch;
                    private global::CsBpf.Runtime.BpfGlobal<ulong>? __global_Hits;
                    private global::CsBpf.Runtime.BpfGlobal<long>? __global_checked;

                    /// <summary>Wraps an opened BPF object of this class.</summary>
                    public Skeleton(global::CsBpf.Runtime.BpfObject @object)
                    {
                        Object = @object ?? throw new global::System.ArgumentNullException(nameof(@object));
                    }

                    /// <summary>The underlying BPF object.</summary>
                    public global::CsBpf.Runtime.BpfObject Object { get; }

                    /// <summary>Loads the object into the kernel.</summary>
                    public void Load() => Object.Load();

                    /// <summary>The map <c>Events</c>.</summary>
                    public global::CsBpf.Runtime.BpfRingBuffer Events => __map_Events ??= Object.GetRingBuffer("Events");

                    /// <summary>The map <c>Samples</c>.</summary>
                    public global::CsBpf.Runtime.BpfPerfEventArray Samples => __map_Samples ??= Object.GetPerfEventArray("Samples");

                    /// <summary>The map <c>PerCpu</c>.</summary>
                    public global::CsBpf.Runtime.BpfPerCpuHashMap<uint, long> PerCpu => __map_PerCpu ??= Object.GetPerCpuHashMap<uint, long>("PerCpu");

                    /// <summary>The <c>.rodata</c> global <c>Threshold</c> (<c>static readonly</c>): set it before <see cref="Load"/>,
                    /// and the verifier treats it as a constant; after load it can only be read.</summary>
                    public uint Threshold
                    {
                        get => (__global_Threshold ??= Object.GetGlobal<uint>("Threshold")).Value;
                        set => (__global_Threshold ??= Object.GetGlobal<uint>("Threshold")).Value = value;
                    }

                    /// <summary>The <c>.rodata</c> global <c>Switch</c> (<c>static readonly</c>): set it before <see cref="Load"/>,
                    /// and the verifier treats it as a constant; after load it can only be read.</summary>
                    public global::Samples.Configured.Mode Switch
                    {
                        get => (__global_Switch ??= Object.GetGlobal<global::Samples.Configured.Mode>("Switch")).Value;
                        set => (__global_Switch ??= Object.GetGlobal<global::Samples.Configured.Mode>("Switch")).Value = value;
                    }

                    /// <summary>The global <c>Hits</c> (<c>.data</c>/<c>.bss</c>): its initial value before <see cref="Load"/>,
                    /// then the live value shared with the running programs (memory-mapped, no system call).</summary>
                    public ulong Hits
                    {
                        get => (__global_Hits ??= Object.GetGlobal<ulong>("Hits")).Value;
                        set => (__global_Hits ??= Object.GetGlobal<ulong>("Hits")).Value = value;
                    }

                    /// <summary>The global <c>checked</c> (<c>.data</c>/<c>.bss</c>): its initial value before <see cref="Load"/>,
                    /// then the live value shared with the running programs (memory-mapped, no system call).</summary>
                    public long @checked
                    {
                        get => (__global_checked ??= Object.GetGlobal<long>("checked")).Value;
                        set => (__global_checked ??= Object.GetGlobal<long>("checked")).Value = value;
                    }

                    /// <summary>The tracepoint program <c>OnOpenat</c>.</summary>
                    public global::CsBpf.Runtime.BpfProgramHandle OnOpenat => __prog_OnOpenat ??= Object.GetProgram("OnOpenat");

                    /// <summary>Logs what the programs write with <c>BpfLog</c> to <paramref name="logger"/>; dispose the reader to stop.</summary>
                    public global::CsBpf.Runtime.BpfLogReader StartLogging(global::Microsoft.Extensions.Logging.ILogger logger) => Object.StartLogging(logger);

                    /// <summary>Logs what the programs write with <c>BpfLog</c> to a logger of <paramref name="loggerFactory"/> named after this class.</summary>
                    public global::CsBpf.Runtime.BpfLogReader StartLogging(global::Microsoft.Extensions.Logging.ILoggerFactory loggerFactory) => Object.StartLogging(loggerFactory);

                    /// <summary>Attaches every program as its attribute says; dispose the links to detach.</summary>
                    public global::System.Collections.Generic.IReadOnlyList<global::CsBpf.Runtime.BpfLink> AttachAll() => Object.AttachAll();

                    /// <summary>Detaches and unloads everything (disposes <see cref="Object"/>).</summary>
                    public void Dispose() => Object.Dispose();
                }
            }
        }

        """;

    private const string KernelSource =
        """
        using System;
        using CsBpf;

        namespace Gen
        {
            [BpfProgram(License = "GPL")]
            public static partial class Knobs
            {
                public struct Args { public uint Input; public uint Output; }
                static readonly uint Factor = 2;
                static readonly bool Enabled;
                static ulong Runs;
                static long Bias = 7;
                [Map] static readonly ArrayMap<ulong> Last = new(1);

                [Syscall]
                static int Step(ref Args a)
                {
                    Runs++;
                    if (!Enabled) return 0;
                    a.Output = a.Input * Factor + (uint)Bias;
                    Last.Update(0, a.Output);
                    BpfLog.Info($"step {a.Input} -> {a.Output}");
                    return 1;
                }
            }

            // Host code written against the generated loader (compile-time checked types).
            public static class Scenario
            {
                public static string Run(Microsoft.Extensions.Logging.ILogger logger)
                {
                    using var skel = Knobs.Open();
                    var before = $"{skel.Factor},{skel.Enabled},{skel.Runs},{skel.Bias}";
                    skel.Factor = 3;
                    skel.Enabled = true;
                    skel.Bias = 1;
                    skel.Load();
                    using var log = skel.StartLogging(logger);
                    var first = new Knobs.Args { Input = 5 };
                    int result = skel.Step.TestRun(ref first).ReturnValue;
                    skel.Bias = 100; // .data is live: the next run sees it
                    var second = new Knobs.Args { Input = 1 };
                    skel.Step.TestRun(ref second);
                    log.Flush();
                    string rodata = "writable";
                    try { skel.Factor = 9; } catch (InvalidOperationException) { rodata = "frozen"; }
                    return $"{before}|{result},{first.Output},{second.Output},{skel.Runs},{skel.Last[0]},{skel.Factor},{rodata}";
                }
            }
        }
        """;

    [Fact]
    public void Host_code_sets_rodata_before_load_and_reads_and_writes_data_live_through_the_generated_loader()
    {
        KernelEnvironment.Require();
        // The BPF object, as csbpfc builds it.
        var bpfCompilation = GeneratorHarness.CreateCompilation(KernelSource);
        var compiled = BpfCompiler.Compile(bpfCompilation, new BpfCompilerOptions());
        Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
        var elf = Assert.Single(compiled.Objects).Elf;

        // The assembly, with the generated loader and the object embedded as the build does.
        var (_, output, diagnostics) = GeneratorHarness.Run(KernelSource);
        Assert.Empty(diagnostics);
        Assert.Empty(ProblemsBesidesHostSetGlobals(output));
        using var stream = new MemoryStream();
        var resource = new ResourceDescription("Gen.Knobs.bpf.o", () => new MemoryStream(elf), isPublic: true);
        var emit = output.Emit(stream, manifestResources: [resource]);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));

        var context = new AssemblyLoadContext("loader-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        try
        {
            stream.Position = 0;
            var assembly = context.LoadFromStream(stream);
            var logger = new RecordingLogger();
            var run = assembly.GetType("Gen.Scenario")!.GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!;
            var result = (string)run.Invoke(null, [logger])!;
            Assert.Equal("2,False,0,7|1,16,103,2,103,3,frozen", result);
            Assert.Equal(["step 5 -> 16", "step 1 -> 103"], logger.Entries.Select(e => e.Message));
            Assert.Equal((uint)5, logger.Entries[0]["Input"]);
        }
        finally
        {
            context.Unload();
        }
    }
}
