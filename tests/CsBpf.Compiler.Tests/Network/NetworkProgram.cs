using System.Reflection;
using System.Runtime.Loader;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// One C# source compiled twice: by the BPF compiler into an object loaded into the kernel, and by Roslyn into IL
/// the CLR runs, so a test can feed the same packet to both and compare (the BPF == CLR rule for network programs).
/// </summary>
internal sealed class NetworkProgram : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private NetworkProgram(BpfObject bpf, Assembly clr, AssemblyLoadContext context, byte[] elf)
    {
        Bpf = bpf;
        Clr = clr;
        _context = context;
        Elf = elf;
    }

    /// <summary>The loaded object.</summary>
    public BpfObject Bpf { get; }

    /// <summary>The same classes compiled for the CLR.</summary>
    public Assembly Clr { get; }

    /// <summary>The object file.</summary>
    public byte[] Elf { get; }

    /// <summary>
    /// Compiles <paramref name="source"/> (one [BpfProgram] class), loads the object and the IL;
    /// <paramref name="beforeLoad"/> runs between open and load (to set <c>.rodata</c> globals).
    /// </summary>
    public static NetworkProgram Load(string source, string cpu = "v3", Action<BpfObject>? beforeLoad = null)
    {
        KernelEnvironment.Require();
        CSharpCompilation compilation = TestCompiler.CreateCompilation(source);
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = cpu });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        byte[] elf = Assert.Single(result.Objects).Elf;

        using var il = new MemoryStream();
        var emit = compilation.Emit(il);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        il.Position = 0;
        var context = new AssemblyLoadContext("net-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        Assembly clr = context.LoadFromStream(il);

        var bpf = BpfObject.Open(elf, "net");
        try
        {
            beforeLoad?.Invoke(bpf);
            bpf.Load();
        }
        catch
        {
            bpf.Dispose();
            context.Unload();
            throw;
        }
        return new NetworkProgram(bpf, clr, context, elf);
    }

    /// <summary>The program's kernel handle.</summary>
    public BpfProgramHandle Program(string name) => Bpf.GetProgram(name);

    /// <summary>Runs static method <paramref name="method"/> of the program class on the CLR.</summary>
    public object? RunClr(string method, params object[] arguments)
    {
        Type type = Clr.GetTypes().Single(t => t.GetCustomAttributes().Any(a => a.GetType().Name == "BpfProgramAttribute"));
        MethodInfo m = type.GetMethod(method, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"no method {method} in {type}");
        try
        {
            return m.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    public void Dispose()
    {
        Bpf.Dispose();
        _context.Unload();
    }
}
