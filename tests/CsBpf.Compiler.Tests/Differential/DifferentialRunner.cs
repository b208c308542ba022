using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Runs differential cases: each case becomes a [BpfProgram] class with a syscall program that reads the
/// arguments from its context, calls the entry method and writes the result back. The same source is
/// compiled to IL and run by the CLR; every input on which the CLR does not throw must give the same result
/// in the kernel. Mismatches are returned with the case's C# source and the input.
/// </summary>
internal static class DifferentialRunner
{
    public sealed record Mismatch(DiffCase Case, object[] Input, string Expected, string Actual)
    {
        public override string ToString() =>
            $"{Case.Name}: {Case.Entry}({string.Join(", ", Input.Select((v, i) => Case.Parameters[i].Literal(v)))}) " +
            $"CLR = {Expected}, BPF = {Actual}\n{Case.Methods}";
    }

    public sealed record Outcome(IReadOnlyList<Mismatch> Mismatches, IReadOnlyList<string> CompileFailures, int Executions);

    public static Outcome Run(IReadOnlyList<DiffCase> cases, string cpu = "v3")
    {
        string source = GenerateSource(cases);
        string path = TestCompiler.WriteSource(source);
        CSharpCompilation compilation = TestCompiler.CreateCompilation(source, path);

        var failures = new List<string>();
        var result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Cpu = cpu });
        foreach (Diagnostic d in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            int line = d.Location.GetLineSpan().StartLinePosition.Line;
            DiffCase? owner = CaseAtLine(cases, source, line);
            failures.Add($"{d}\n{owner?.Methods}\n{owner?.TopLevel}");
        }

        Assembly il = EmitIl(compilation);
        var mismatches = new List<Mismatch>();
        int executions = 0;
        var objects = result.Objects.ToDictionary(o => o.ClassFullName);
        for (int i = 0; i < cases.Count; i++)
        {
            DiffCase c = cases[i];
            if (!objects.TryGetValue($"Diff.Case{i}", out BpfObjectOutput? obj)) continue;
            MethodInfo entry = il.GetType($"Diff.Case{i}")!.GetMethod(c.Entry, BindingFlags.Public | BindingFlags.Static)!;
            using var bpf = BpfObject.Open(obj.Elf, $"case{i}");
            try { bpf.Load(); }
            catch (BpfException e)
            {
                failures.Add($"{c.Name}: the kernel refused the program: {e.Message}\n{c.Methods}");
                continue;
            }
            int fd = bpf.GetProgram("Run").Fd;
            var (offsets, size) = Layout([.. c.Parameters, c.Result]);
            byte[] ctx = new byte[size];
            foreach (object[] input in c.Inputs)
            {
                object? expected;
                try { expected = entry.Invoke(null, input); }
                catch (TargetInvocationException) { continue; } // C# throws: no requirement on the BPF side
                Array.Clear(ctx);
                for (int p = 0; p < input.Length; p++) c.Parameters[p].Write(ctx.AsSpan(offsets[p]), input[p]);
                uint retval = KernelTestRun.Run(fd, ctx);
                executions++;
                object actual = c.Result.Read(ctx.AsSpan(offsets[^1]));
                if (retval != 0 || !Equals(expected, actual))
                    mismatches.Add(new Mismatch(c, input, c.Result.Literal(expected!), retval != 0 ? $"program returned {retval}" : c.Result.Literal(actual)));
            }
        }
        return new Outcome(mismatches, failures, executions);
    }

    /// <summary>Sequential layout with natural alignment: what C# gives the Args struct and the compiler maps.</summary>
    private static (int[] Offsets, int Size) Layout(ScalarType[] fields)
    {
        var offsets = new int[fields.Length];
        int offset = 0, align = 1;
        for (int i = 0; i < fields.Length; i++)
        {
            int a = fields[i].Size;
            offset = (offset + a - 1) / a * a;
            offsets[i] = offset;
            offset += fields[i].Size;
            align = Math.Max(align, a);
        }
        return (offsets, (offset + align - 1) / align * align);
    }

    public static string GenerateSource(IReadOnlyList<DiffCase> cases)
    {
        var sb = new StringBuilder();
        sb.AppendLine("using System;\nusing System.Runtime.CompilerServices;\nusing System.Runtime.InteropServices;\nusing System.Threading;\nusing CsBpf;\n\nnamespace Diff;\n");
        for (int i = 0; i < cases.Count; i++)
        {
            DiffCase c = cases[i];
            sb.AppendLine($"// case {c.Name}");
            sb.AppendLine("[BpfProgram(License = \"GPL\")]");
            sb.AppendLine($"public static partial class Case{i}");
            sb.AppendLine("{");
            sb.Append("    public struct Args { ");
            for (int p = 0; p < c.Parameters.Length; p++) sb.Append($"public {c.Parameters[p].Keyword} P{p}; ");
            sb.AppendLine($"public {c.Result.Keyword} R; }}");
            sb.AppendLine("    [Syscall]");
            sb.AppendLine($"    static int Run(ref Args a) {{ a.R = {c.Entry}({string.Join(", ", c.Parameters.Select((_, p) => $"a.P{p}"))}); return 0; }}");
            sb.AppendLine();
            foreach (string line in c.Methods.Split('\n')) sb.AppendLine("    " + line.TrimEnd('\r'));
            sb.AppendLine("}");
            sb.AppendLine();
            if (c.TopLevel.Length > 0) sb.AppendLine(c.TopLevel).AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Runs <paramref name="cases"/> in the kernel and on the CLR and asserts they compile and agree.</summary>
    public static void AssertAgree(ITestOutputHelper output, IReadOnlyList<DiffCase> cases, string cpu = "v3")
    {
        KernelEnvironment.Require();
        var outcome = DifferentialRunner.Run(cases, cpu);
        output.WriteLine($"{cases.Count} cases, {outcome.Executions} kernel executions, cpu {cpu}");
        Assert.True(outcome.CompileFailures.Count == 0, string.Join("\n\n", outcome.CompileFailures));
        Assert.True(outcome.Mismatches.Count == 0, string.Join("\n\n", outcome.Mismatches.Take(10)));
        Assert.True(outcome.Executions > cases.Count, "too few executions: the harness ran nothing");
    }

    private static DiffCase? CaseAtLine(IReadOnlyList<DiffCase> cases, string source, int line)
    {
        string[] lines = source.Split('\n');
        for (int l = Math.Min(line, lines.Length - 1); l >= 0; l--)
            if (lines[l].StartsWith("public static partial class Case", StringComparison.Ordinal))
                return cases[int.Parse(lines[l]["public static partial class Case".Length..].Trim())];
        return null;
    }

    private static Assembly EmitIl(CSharpCompilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        if (!emit.Success)
            throw new InvalidOperationException("The differential source does not compile as C#:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        var context = new AssemblyLoadContext("diff-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }
}
