using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler.Cli;

/// <summary>A command line that cannot be used: wrong option, missing value, missing file.</summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>
/// The parsed command line of <c>csbpfc</c>. Arguments come directly or from response files
/// (<c>@file.rsp</c>: one argument per line, no splitting at spaces, blank lines and lines starting with
/// <c>#</c> ignored, an optional pair of enclosing double quotes removed). Options take their value as
/// the next argument or after <c>=</c>/<c>:</c> (<c>--reference=/a/b.dll</c>), which lets MSBuild write
/// a response file with one item per line.
/// </summary>
public sealed class CommandLineOptions
{
    /// <summary>The usage text printed by <c>--help</c> and after a usage error.</summary>
    public const string Usage =
        """
        Usage: csbpfc [options] <source.cs>... | csbpfc @<file.rsp>
        Compiles the [BpfProgram] classes of a C# project to BPF ELF objects (<Class.Full.Name>.bpf.o).

        Options:
          --out <dir>              Directory for the .bpf.o files (required). Stale *.bpf.o files there are deleted.
          --reference <path>       A metadata reference (repeatable).
          --define <A;B;C>         Preprocessor symbols (repeatable; ';' or ',' separated).
          --langversion <v>        C# language version (default: latest).
          --nullable <value>       enable | disable | warnings | annotations (default: disable).
          --unsafe                 Allow unsafe code.
          --assembly-name <name>   Name of the compilation (default: CsBpfProgram).
          --cpu <v1|v2|v3|v4>      BPF CPU version (default: v3).
          --no-opt                 Do not run LLVM's optimizer.
          -h, --help               Show this help.
        Options also accept --option=value. Use '--' to end options.

        csbpfc tracepoint <category> <name>   Prints the C# record struct of a tracepoint (see 'csbpfc tracepoint --help').
        """;

    private const int MaxResponseFileDepth = 8;

    /// <summary>The directory the objects are written to (absolute).</summary>
    public string OutputDirectory { get; private init; } = "";

    /// <summary>Metadata reference paths (absolute), in command-line order.</summary>
    public ImmutableArray<string> References { get; private init; } = [];

    /// <summary>Preprocessor symbols.</summary>
    public ImmutableArray<string> Defines { get; private init; } = [];

    /// <summary>Source file paths (absolute), in command-line order.</summary>
    public ImmutableArray<string> Sources { get; private init; } = [];

    /// <summary>The C# language version.</summary>
    public LanguageVersion LanguageVersion { get; private init; } = LanguageVersion.Latest;

    /// <summary>The nullable context of the compilation.</summary>
    public NullableContextOptions Nullable { get; private init; } = NullableContextOptions.Disable;

    /// <summary>Allow unsafe code.</summary>
    public bool AllowUnsafe { get; private init; }

    /// <summary>The compilation's assembly name.</summary>
    public string AssemblyName { get; private init; } = "CsBpfProgram";

    /// <summary>The BPF CPU version (<c>v1</c> … <c>v4</c>).</summary>
    public string Cpu { get; private init; } = "v3";

    /// <summary>Run LLVM's optimizer.</summary>
    public bool Optimize { get; private init; } = true;

    /// <summary>Only print the usage text.</summary>
    public bool ShowHelp { get; private init; }

    /// <summary>Parses <paramref name="args"/>, expanding response files. Relative paths are resolved
    /// against <paramref name="baseDirectory"/> (default: the current directory).</summary>
    /// <exception cref="CommandLineException">The command line is not usable.</exception>
    public static CommandLineOptions Parse(IReadOnlyList<string> args, string? baseDirectory = null)
    {
        baseDirectory ??= Directory.GetCurrentDirectory();
        var expanded = new List<string>();
        Expand(args, baseDirectory, expanded, depth: 0);

        string? outDir = null;
        var references = ImmutableArray.CreateBuilder<string>();
        var defines = ImmutableArray.CreateBuilder<string>();
        var sources = ImmutableArray.CreateBuilder<string>();
        var langVersion = LanguageVersion.Latest;
        var nullable = NullableContextOptions.Disable;
        bool allowUnsafe = false, optimize = true, help = false, endOfOptions = false;
        string cpu = "v3", assemblyName = "CsBpfProgram";

        for (int i = 0; i < expanded.Count; i++)
        {
            string arg = expanded[i];
            if (endOfOptions || !arg.StartsWith('-') || arg == "-")
            {
                sources.Add(Path.GetFullPath(arg, baseDirectory));
                continue;
            }
            if (arg == "--") { endOfOptions = true; continue; }

            // --name=value / --name:value (a Windows-style "-name:value" is accepted too).
            string name = arg;
            string? inlineValue = null;
            int sep = arg.IndexOfAny(['=', ':']);
            if (sep > 0)
            {
                name = arg[..sep];
                inlineValue = arg[(sep + 1)..];
            }

            string Value()
            {
                if (inlineValue is not null) return inlineValue;
                if (i + 1 >= expanded.Count) throw new CommandLineException($"option '{name}' needs a value");
                return expanded[++i];
            }

            void NoValue()
            {
                if (inlineValue is not null) throw new CommandLineException($"option '{name}' takes no value");
            }

            switch (name)
            {
                case "--out" or "-o":
                    outDir = Path.GetFullPath(NonEmpty(name, Value()), baseDirectory);
                    break;
                case "--reference" or "-r":
                    references.Add(Path.GetFullPath(NonEmpty(name, Value()), baseDirectory));
                    break;
                case "--define" or "-d":
                    foreach (var symbol in Value().Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!SyntaxFacts.IsValidIdentifier(symbol))
                            throw new CommandLineException($"'{symbol}' is not a valid preprocessor symbol");
                        defines.Add(symbol);
                    }
                    break;
                case "--langversion":
                    {
                        var v = Value().Trim();
                        if (v.Length == 0) break; // MSBuild passes an empty LangVersion as "use the default"
                        if (!LanguageVersionFacts.TryParse(v, out langVersion))
                            throw new CommandLineException($"'{v}' is not a C# language version");
                        break;
                    }
                case "--nullable":
                    {
                        var v = Value().Trim();
                        nullable = v.ToLowerInvariant() switch
                        {
                            "" or "disable" => NullableContextOptions.Disable,
                            "enable" => NullableContextOptions.Enable,
                            "warnings" => NullableContextOptions.Warnings,
                            "annotations" => NullableContextOptions.Annotations,
                            _ => throw new CommandLineException($"'{v}' is not a nullable option: use enable, disable, warnings or annotations"),
                        };
                        break;
                    }
                case "--unsafe":
                    NoValue();
                    allowUnsafe = true;
                    break;
                case "--assembly-name":
                    assemblyName = NonEmpty(name, Value());
                    break;
                case "--cpu":
                    cpu = Value().Trim().ToLowerInvariant();
                    if (cpu is not ("v1" or "v2" or "v3" or "v4"))
                        throw new CommandLineException($"'{cpu}' is not a BPF CPU version: use v1, v2, v3 or v4");
                    break;
                case "--no-opt":
                    NoValue();
                    optimize = false;
                    break;
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                default:
                    throw new CommandLineException($"unknown option '{arg}'");
            }
        }

        if (!help)
        {
            if (outDir is null) throw new CommandLineException("no output directory: pass --out <dir>");
            if (sources.Count == 0) throw new CommandLineException("no source files");
            foreach (var file in sources.Concat(references))
                if (!File.Exists(file)) throw new CommandLineException($"file not found: '{file}'");
        }

        return new CommandLineOptions
        {
            OutputDirectory = outDir ?? "",
            References = references.ToImmutable(),
            Defines = defines.Distinct(StringComparer.Ordinal).ToImmutableArray(),
            Sources = sources.ToImmutable(),
            LanguageVersion = langVersion,
            Nullable = nullable,
            AllowUnsafe = allowUnsafe,
            AssemblyName = assemblyName,
            Cpu = cpu,
            Optimize = optimize,
            ShowHelp = help,
        };
    }

    private static string NonEmpty(string option, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new CommandLineException($"option '{option}' needs a value") : value;

    private static void Expand(IEnumerable<string> args, string baseDirectory, List<string> into, int depth)
    {
        foreach (var arg in args)
        {
            if (arg.Length > 1 && arg[0] == '@')
            {
                if (depth >= MaxResponseFileDepth) throw new CommandLineException($"response files nested too deeply at '{arg}'");
                var path = Path.GetFullPath(Unquote(arg[1..]), baseDirectory);
                if (!File.Exists(path)) throw new CommandLineException($"response file not found: '{path}'");
                Expand(ReadResponseFile(path), baseDirectory, into, depth + 1);
            }
            else
            {
                into.Add(arg);
            }
        }
    }

    /// <summary>The arguments in a response file: one a line, blank and <c>#</c> lines skipped.</summary>
    public static IEnumerable<string> ReadResponseFile(string path)
    {
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            yield return Unquote(line);
        }
    }

    private static string Unquote(string s) =>
        s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
}
