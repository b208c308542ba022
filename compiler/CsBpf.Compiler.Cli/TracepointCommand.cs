using CsBpf.Compiler.Tracepoints;

namespace CsBpf.Compiler.Cli;

/// <summary>
/// <c>csbpfc tracepoint &lt;category&gt; &lt;name&gt; [--type-name N] [--namespace NS] [--tracefs DIR]</c>: prints the
/// C# record struct of a tracepoint, generated from this machine's tracefs format.
/// </summary>
public static class TracepointCommand
{
    /// <summary>The command's usage text.</summary>
    public const string Usage =
        """
        Usage: csbpfc tracepoint <category> <name> [options]
        Prints the C# record struct of tracepoint <category>/<name>, from /sys/kernel/tracing/events/<category>/<name>/format,
        for programs declared as [Tracepoint("<category>", "<name>")] static int M(ref readonly <Type> record).

        Options:
          --type-name <name>   The struct's name (default: <name> in PascalCase, e.g. SysEnterOpenat).
          --namespace <ns>     Put the struct in this namespace.
          --tracefs <dir>      Where tracefs is mounted (default: /sys/kernel/tracing, then /sys/kernel/debug/tracing).
        """;

    /// <summary>Runs the command; returns the exit code (0, or 2 for bad usage or a missing event).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var positional = new List<string>();
        string? typeName = null, ns = null, tracefs = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (arg)
            {
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                case "--type-name": typeName = Value(); break;
                case "--namespace": ns = Value(); break;
                case "--tracefs": tracefs = Value(); break;
                default:
                    if (arg.StartsWith('-')) return Fail(error, $"unknown option '{arg}'");
                    positional.Add(arg);
                    break;
            }
        }
        if (positional.Count != 2) return Fail(error, "give a category and a name, e.g. 'csbpfc tracepoint syscalls sys_enter_openat'");
        if (typeName is not null && !Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(typeName)) return Fail(error, $"'{typeName}' is not a C# identifier");
        try
        {
            output.Write(TracepointRecordGenerator.FromTracefs(positional[0], positional[1], typeName, ns, tracefs));
            return 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or NotSupportedException or UnauthorizedAccessException)
        {
            return Fail(error, e.Message);
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"{CanonicalDiagnosticFormatter.ToolName}: error: {message}");
        return 2;
    }
}
