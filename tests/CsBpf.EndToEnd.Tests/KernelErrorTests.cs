using CsBpf.Compiler;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.EndToEnd.Tests;

/// <summary>C# programs the compiler accepts but the kernel refuses: the errors name the cause.</summary>
public class KernelErrorTests
{
    private static byte[] CompileCs(string source)
    {
        string path = Path.Combine(Path.GetTempPath(), $"csbpf-e2e-{Guid.NewGuid():N}.cs");
        File.WriteAllText(path, source);
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(CsBpf.Bpf).Assembly.Location).Distinct().Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("E2E", [CSharpSyntaxTree.ParseText(source, path: path)], refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions());
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Elf;
    }

    [Fact]
    public void Verifier_rejection_raises_an_exception_carrying_the_verifier_log()
    {
        KernelEnvironment.Require();
        // The map value is used without the null check the verifier insists on (the rule that says so while
        // typing, CSBPF0016, is suppressed to see the kernel's own refusal).
        byte[] elf = CompileCs("""
            #pragma warning disable CSBPF0016
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Unchecked
            {
                [Map] static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);

                [Tracepoint("syscalls", "sys_enter_openat")]
                static int NoNullCheck(TracepointContext ctx)
                {
                    ref ulong n = ref Counts.GetValueRefOrNullRef(1);
                    n++;
                    return 0;
                }
            }
            """);
        using var obj = BpfObject.Open(elf, "Unchecked");
        var e = Assert.Throws<BpfLoadException>(obj.Load);
        Assert.Contains("NoNullCheck", e.Message);
        Assert.Contains("map_value_or_null", e.Message); // the verifier's own words, from its log
        Assert.Contains("map_value_or_null", e.VerifierLog);
        // The failing instruction is mapped back to the C# line through BTF line info: `n++;` is line 12.
        Assert.Equal(12, e.SourceLine);
        Assert.Contains($"{Path.GetFileName(e.SourceFile)}:12", e.Message);
        Assert.Contains("n++;", e.SourceText);
    }

    [Fact]
    public void Unknown_tracepoint_fails_to_attach_naming_it()
    {
        KernelEnvironment.Require();
        byte[] elf = CompileCs("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class NoSuch
            {
                [Tracepoint("syscalls", "sys_enter_no_such_call")]
                static int Prog(TracepointContext ctx) => 0;
            }
            """);
        using var obj = BpfObject.Open(elf, "NoSuch");
        obj.Load();
        var e = Assert.ThrowsAny<BpfAttachException>(() => obj.AttachAll());
        Assert.Contains("sys_enter_no_such_call", e.Message);
    }
}
