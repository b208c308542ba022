using System.Reflection;
using System.Runtime.Loader;
using CsBpf.Analyzers.Generators;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// The typed loader the build generates, driven in this kernel: <c>AttachAll()</c> attaches the programs whose
/// attribute names their target (an auto-attach uprobe, a raw tracepoint) and skips those that need one at
/// attach time, which get typed methods (<c>AttachSample(PerfEventConfig)</c>, <c>AttachProbe(binary, function)</c>).
/// </summary>
public sealed class GeneratedLoaderTests : IDisposable
{
    private readonly UprobeTarget _target = new();

    public void Dispose() => _target.Dispose();

    private string Source => $$"""
        using System.Runtime.CompilerServices;
        using System.Threading;
        using CsBpf;

        namespace Loaded;

        [BpfProgram(License = "GPL")]
        public static partial class Mixed
        {
            [Map] static readonly ArrayMap<ulong> Counts = new(maxEntries: 4);

            [Uprobe("{{_target.BinaryPath}}", "{{UprobeTarget.Function}}")]
            static int Auto(PtRegs ctx) => Count(0);

            [Uprobe]
            static int Probe(long a) => Count(1);

            [PerfEvent]
            static int Sample(PerfEventContext ctx) => Count(2);

            [RawTracepoint("sys_enter")]
            static int Enter(RawTracepointContext ctx) => 0;

            public struct Args { public long X; }

            [Syscall]
            static int Run(ref Args args) { args.X = 1; return 0; }

            static int Count(uint slot)
            {
                ref ulong n = ref Counts.GetValueRefOrNullRef(slot);
                if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
                return 0;
            }
        }
        """;

    [Fact]
    public void AttachAll_attaches_section_targets_and_typed_methods_attach_the_rest()
    {
        KernelEnvironment.Require();
        var compilation = TestCompiler.CreateCompilation(Source);
        var bpf = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = "v3" });
        Assert.True(bpf.Success, string.Join("\n", bpf.Diagnostics));

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new BpfLoaderGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var withLoader, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        string loader = driver.GetRunResult().GeneratedTrees.Single().ToString();
        Assert.Contains("links.Add(Auto.Attach());", loader);
        Assert.Contains("links.Add(Enter.Attach());", loader);
        Assert.DoesNotContain("Sample.Attach()", loader);
        Assert.DoesNotContain("Run.Attach()", loader);
        using var stream = new MemoryStream();
        var emit = withLoader.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        Type skeletonType = new AssemblyLoadContext("loader", isCollectible: true).LoadFromStream(stream).GetType("Loaded.Mixed+Skeleton")!;

        using var obj = BpfObject.Open(Assert.Single(bpf.Objects).Elf, "mixed");
        obj.Load();
        object skeleton = Activator.CreateInstance(skeletonType, obj)!;
        var links = (IReadOnlyList<BpfLink>)skeletonType.GetMethod("AttachAll")!.Invoke(skeleton, null)!;
        Assert.Equal(["Auto", "Enter"], links.Select(l => l.Program.Name).Order());

        using var probe = (BpfLink)skeletonType.GetMethod("AttachProbe")!.Invoke(skeleton, [_target.BinaryPath, UprobeTarget.Function, -1, 0UL, 0UL])!;
        int cpu = Native.sched_getcpu();
        using var samples = (BpfPerfEventLinks)skeletonType.GetMethod("AttachSample")!.Invoke(skeleton, [PerfEventConfig.CpuClock(1000), -1, (int?)cpu, 0UL])!;
        _target.Run(calls: 3, "x");
        Native.RunOnThread("csbpf-spin", _ => { var end = DateTime.UtcNow.AddMilliseconds(200); while (DateTime.UtcNow < end) { } }, cpu);

        var counts = obj.GetArrayMap<ulong>("Counts");
        Assert.Equal(3UL, counts[0]);
        Assert.Equal(3UL, counts[1]);
        Assert.True(counts[2] > 0, "the perf event program attached through the loader never ran");
    }
}
