using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Frontend;

// Tracing program kinds: uprobes, raw tracepoints, perf events, the context form of kprobes/uprobes
// (`static int M(PtRegs ctx)`) and tracepoints that take their typed record (`ref readonly T`). Each row of
// s_tracingPrograms says which section an attribute makes, how a typed-argument method reads its parameters
// and which context struct the context form takes.
internal sealed partial class ProgramDiscovery
{
    /// <summary>One tracing program attribute: its section prefix, the kind of its typed-argument form (null
    /// when it has none) and the context type of its context form.</summary>
    private sealed record TracingProgramShape(string Attribute, string Prefix, ProgramKind? ArgumentKind, string ContextType);

    private static readonly TracingProgramShape[] s_tracingPrograms =
    [
        new(WellKnownNames.KprobeAttribute, "kprobe", ProgramKind.Kprobe, WellKnownNames.PtRegs),
        new(WellKnownNames.KretprobeAttribute, "kretprobe", ProgramKind.Kretprobe, WellKnownNames.PtRegs),
        new(WellKnownNames.UprobeAttribute, "uprobe", ProgramKind.Kprobe, WellKnownNames.PtRegs),
        new(WellKnownNames.UretprobeAttribute, "uretprobe", ProgramKind.Kretprobe, WellKnownNames.PtRegs),
        new(WellKnownNames.RawTracepointAttribute, "raw_tracepoint", ProgramKind.Tracing, WellKnownNames.RawTracepointContext),
        new(WellKnownNames.PerfEventAttribute, "perf_event", null, WellKnownNames.PerfEventContext),
    ];

    /// <summary>The section and kind of a tracing program handled here, or null to let the other rules decide
    /// (kprobes and tracepoints in their original forms).</summary>
    private (string Section, ProgramKind Kind)? TracingProgramSection(IMethodSymbol method)
    {
        if (GetAttribute(method, WellKnownNames.TracepointAttribute) is not null && IsRecordForm(method))
            return TracepointSection(method) is { } tp ? (tp, ProgramKind.TracepointRecord) : null;

        if (GetAttribute(method, WellKnownNames.UsdtAttribute) is { } usdt)
            return UsdtSection(method, usdt) is { } section ? (section, ProgramKind.Usdt) : null;

        foreach (TracingProgramShape shape in s_tracingPrograms)
        {
            if (GetAttribute(method, shape.Attribute) is not { } a) continue;
            bool contextForm = method.Parameters.Any(p => TypeMapper.IsContext(p.Type));
            if (shape.Prefix is "kprobe" or "kretprobe" && !contextForm)
                return null; // the typed-argument kprobe: ProgramSection's rules
            string? section = shape.Prefix switch
            {
                "kprobe" or "kretprobe" => FunctionSection(method, a, shape.Prefix),
                "uprobe" or "uretprobe" => UprobeSection(method, a, shape.Prefix),
                "raw_tracepoint" => RawTracepointSection(method, a),
                _ => shape.Prefix,
            };
            if (section is null) return null;
            return (section, contextForm || shape.ArgumentKind is null ? ProgramKind.Context : shape.ArgumentKind.Value);
        }
        return null;
    }

    /// <summary>A tracepoint method whose single parameter is not <c>TracepointContext</c>: the typed record form.</summary>
    private static bool IsRecordForm(IMethodSymbol method) =>
        method.Parameters is [var p] && p.Type.ToDisplayString() != WellKnownNames.TracepointContext && !TypeMapper.IsContext(p.Type);

    private string? FunctionSection(IMethodSymbol method, AttributeData a, string prefix)
    {
        string? target = a.ConstructorArguments.ElementAtOrDefault(0).Value as string;
        if (!string.IsNullOrEmpty(target) && target.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.'))
            return $"{prefix}/{target}";
        Report(BpfDiagnostics.InvalidProgramDeclaration, LocationOf(a) ?? method.Locations.FirstOrDefault(), method.Name,
            $"the {prefix} target must be a kernel function name such as \"do_sys_openat2\", not \"{target}\"");
        return null;
    }

    /// <summary>
    /// libbpf's auto-attach uprobe section: <c>uprobe/&lt;path&gt;:&lt;function&gt;[+offset]</c>. libbpf 1.1 parses it
    /// with <c>%m[^/]/%m[^:]:%m[a-zA-Z0-9_.]+%li</c>, so the path cannot hold ':' and the function is limited to
    /// those characters; <c>uprobe</c> alone is a program attached only explicitly.
    /// </summary>
    private string? UprobeSection(IMethodSymbol method, AttributeData a, string prefix)
    {
        string? binary = a.ConstructorArguments.ElementAtOrDefault(0).Value as string;
        string? function = a.ConstructorArguments.ElementAtOrDefault(1).Value as string;
        ulong offset = a.NamedArguments.FirstOrDefault(n => n.Key == "Offset").Value.Value is ulong o ? o : 0;
        Location? at = LocationOf(a) ?? method.Locations.FirstOrDefault();
        if (a.ConstructorArguments.Length == 0)
        {
            if (offset == 0) return prefix;
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                $"an offset needs a function: write [{Capitalized(prefix)}(\"/path/to/binary\", \"function\", Offset = 0x{offset:x})], or attach at a raw offset with BpfProgramHandle.AttachUprobe");
            return null;
        }
        if (string.IsNullOrEmpty(binary) || binary[0] != '/' || binary.Contains(':') || binary.Any(char.IsWhiteSpace))
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                $"the {prefix} binary must be an absolute path without ':' or spaces, such as \"/usr/lib/x86_64-linux-gnu/libc.so.6\", not \"{binary}\"");
            return null;
        }
        if (string.IsNullOrEmpty(function) || !function.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.'))
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                $"the {prefix} function must be a symbol name of letters, digits, '_' and '.', such as \"malloc\", not \"{function}\"");
            return null;
        }
        return offset == 0 ? $"{prefix}/{binary}:{function}" : $"{prefix}/{binary}:{function}+0x{offset:x}";
    }

    /// <summary>libbpf's auto-attach USDT section <c>usdt/&lt;path&gt;:&lt;provider&gt;:&lt;name&gt;</c> (parsed with
    /// <c>%m[^:]:%m[^:]:%m[^:]</c>), or <c>usdt</c> for a program attached explicitly.</summary>
    private string? UsdtSection(IMethodSymbol method, AttributeData a)
    {
        if (a.ConstructorArguments.Length == 0) return "usdt";
        string?[] parts = [.. a.ConstructorArguments.Select(c => c.Value as string)];
        Location? at = LocationOf(a) ?? method.Locations.FirstOrDefault();
        if (string.IsNullOrEmpty(parts[0]) || parts[0]![0] != '/' || parts.Any(p => string.IsNullOrEmpty(p) || p.Contains(':') || p.Any(char.IsWhiteSpace)))
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                $"a USDT probe is named by an absolute binary path, a provider and a name without ':' or spaces, such as (\"/usr/lib/x86_64-linux-gnu/libc.so.6\", \"libc\", \"setjmp\"), not (\"{parts[0]}\", \"{parts.ElementAtOrDefault(1)}\", \"{parts.ElementAtOrDefault(2)}\")");
            return null;
        }
        return $"usdt/{parts[0]}:{parts[1]}:{parts[2]}";
    }

    private string? RawTracepointSection(IMethodSymbol method, AttributeData a)
    {
        string? name = a.ConstructorArguments.ElementAtOrDefault(0).Value as string;
        if (!string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return $"raw_tracepoint/{name}";
        Report(BpfDiagnostics.InvalidProgramDeclaration, LocationOf(a) ?? method.Locations.FirstOrDefault(), method.Name,
            $"the raw tracepoint must be named without its category, such as \"sched_switch\" or \"sys_enter\", not \"{name}\"");
        return null;
    }

    private static string Capitalized(string prefix) => char.ToUpperInvariant(prefix[0]) + prefix[1..];

    /// <summary>Context-form programs take exactly their program type's context struct; record-form tracepoints
    /// take the record by readonly reference.</summary>
    private bool ValidateContextProgram(IMethodSymbol method, string section, ProgramKind kind, Location? at)
    {
        if (method.ReturnType.SpecialType != SpecialType.System_Int32)
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name, $"a program in section '{section}' must return int");
            return false;
        }
        if (kind == ProgramKind.TracepointRecord)
        {
            IParameterSymbol record = method.Parameters[0];
            if (record.Type is not INamedTypeSymbol { TypeKind: TypeKind.Struct, IsUnmanagedType: true } || TypeMapper.SpanElementType(record.Type) is not null)
            {
                Report(BpfDiagnostics.InvalidProgramDeclaration, record.Locations.FirstOrDefault() ?? at, method.Name,
                    $"a tracepoint program takes 'TracepointContext ctx' or its record as 'ref readonly T' with T an unmanaged struct laid out like the event's format (generate one with 'csbpfc tracepoint <category> <name>'), not '{record.Type}'");
                return false;
            }
            if (record.RefKind is not (RefKind.In or RefKind.RefReadOnlyParameter))
            {
                Report(BpfDiagnostics.InvalidProgramDeclaration, record.Locations.FirstOrDefault() ?? at, method.Name,
                    $"take the tracepoint record as 'ref readonly {record.Type.Name} {record.Name}' (or 'in'): it is the kernel's read-only buffer, not a copy");
                return false;
            }
            return true;
        }
        string expected = s_tracingPrograms.First(s => section == s.Prefix || section.StartsWith(s.Prefix + "/", StringComparison.Ordinal)).ContextType;
        string shortName = expected[(expected.LastIndexOf('.') + 1)..];
        if (method.Parameters is not [{ RefKind: RefKind.None } p] || p.Type.ToDisplayString() != expected)
        {
            string alternative = section.StartsWith("perf_event", StringComparison.Ordinal) ? "" : " or its arguments";
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                $"a program in section '{section}' takes its context as 'static int {method.Name}({shortName} ctx)'{alternative}, not both or another context type");
            return false;
        }
        return true;
    }
}
