using System.Collections.Immutable;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Frontend;

/// <summary>
/// Finds the <c>[BpfProgram]</c> classes of a compilation and reads their maps and program entry points,
/// reporting malformed declarations (license, map shape, program signature) as diagnostics.
/// </summary>
internal sealed partial class ProgramDiscovery(CSharpCompilation compilation, List<Diagnostic> diagnostics)
{
    public IReadOnlyList<BpfClassModel> Discover(CancellationToken cancellationToken)
    {
        var result = new List<BpfClassModel>();
        foreach (INamedTypeSymbol type in AllTypes(compilation.Assembly.GlobalNamespace))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (GetAttribute(type, WellKnownNames.BpfProgramAttribute) is not { } attribute)
            {
                ReportUnresolvedProgramAttribute(type);
                continue;
            }
            if (ReadClass(type, attribute) is { } model) result.Add(model);
        }
        result.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return result;
    }

    /// <summary>
    /// A class marked <c>[BpfProgram]</c> whose attribute does not bind (CsBpf.dll not referenced, a missing
    /// <c>using CsBpf;</c>): without this, nothing would be compiled and nothing said (CSBPF1007 with the C# error).
    /// </summary>
    private void ReportUnresolvedProgramAttribute(INamedTypeSymbol type)
    {
        foreach (AttributeData a in type.GetAttributes())
        {
            if (a.AttributeClass is not { TypeKind: TypeKind.Error, Name: "BpfProgram" or "BpfProgramAttribute" }) continue;
            Location? at = LocationOf(a) ?? type.Locations.FirstOrDefault();
            Report(BpfDiagnostics.SourceError, at, $"the attribute '{a.AttributeClass.Name}' of '{type.Name}' does not resolve to {WellKnownNames.BpfProgramAttribute}: reference the CsBpf package (CsBpf.dll) and add 'using CsBpf;'");
        }
    }

    /// <summary>The class's name as used for the object and resource: namespace and containing types joined by '.'.</summary>
    public static string FullNameOf(INamedTypeSymbol type) =>
        type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)
            .WithGenericsOptions(SymbolDisplayGenericsOptions.None));

    private BpfClassModel? ReadClass(INamedTypeSymbol type, AttributeData attribute)
    {
        int errorsBefore = diagnostics.Count;
        string? license = attribute.NamedArguments.FirstOrDefault(a => a.Key == "License").Value.Value as string;
        if (string.IsNullOrEmpty(license))
            Report(BpfDiagnostics.MissingLicense, LocationOf(attribute) ?? type.Locations.FirstOrDefault(), type.Name);

        var maps = new List<MapModel>();
        var programs = new List<ProgramModel>();
        var globals = new List<GlobalModel>();
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is IFieldSymbol field && GetAttribute(field, WellKnownNames.MapAttribute) is not null)
            {
                if (new MapDeclarationReader(compilation, diagnostics).Read(field) is { } map) maps.Add(map);
            }
            else if (member is IFieldSymbol { IsStatic: true, IsConst: false, IsImplicitlyDeclared: false } global)
            {
                if (ReadGlobal(global) is { } g) globals.Add(g);
            }
            else if (member is IMethodSymbol method && (TracingProgramSection(method) ?? ProgramSection(method)) is { } entry)
            {
                if (ValidateProgram(method, entry.Section, entry.Kind)) programs.Add(new ProgramModel(method, entry.Section, entry.Kind));
            }
        }
        if (programs.Count == 0 && diagnostics.Count == errorsBefore)
            Report(BpfDiagnostics.InvalidProgramDeclaration, type.Locations.FirstOrDefault(), type.Name,
                "the class has no program method: mark a static method with a program attribute such as [Tracepoint(\"syscalls\", \"sys_enter_openat\")]");
        if (diagnostics.Count != errorsBefore) return null;
        return new BpfClassModel(type, FullNameOf(type), license!, maps, programs, globals);
    }

    /// <summary>Attach-by-function program attributes: section prefix and how parameters are read.</summary>
    private static readonly (string Attribute, string Prefix, ProgramKind Kind)[] s_functionPrograms =
    [
        (WellKnownNames.KprobeAttribute, "kprobe", ProgramKind.Kprobe),
        (WellKnownNames.KretprobeAttribute, "kretprobe", ProgramKind.Kretprobe),
        (WellKnownNames.FentryAttribute, "fentry", ProgramKind.Tracing),
        (WellKnownNames.FexitAttribute, "fexit", ProgramKind.Tracing),
        (WellKnownNames.LsmAttribute, "lsm", ProgramKind.Tracing),
    ];

    private (string Section, ProgramKind Kind)? ProgramSection(IMethodSymbol method)
    {
        foreach (var (attributeName, prefix, kind) in s_functionPrograms)
        {
            if (GetAttribute(method, attributeName) is not { } a) continue;
            string? target = a.ConstructorArguments.ElementAtOrDefault(0).Value as string;
            if (string.IsNullOrEmpty(target) || !target.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.'))
            {
                Report(BpfDiagnostics.InvalidProgramDeclaration, LocationOf(a) ?? method.Locations.FirstOrDefault(), method.Name,
                    $"the {prefix} target must be a kernel function or hook name such as \"do_sys_openat2\", not \"{target}\"");
                return null;
            }
            return ($"{prefix}/{target}", kind);
        }
        if (GetAttribute(method, WellKnownNames.SyscallAttribute) is not null) return ("syscall", ProgramKind.Syscall);
        if (NetworkSection(method) is { } network) return (network, ProgramKind.Network);
        return TracepointSection(method) is { } tp ? (tp, ProgramKind.Tracepoint) : null;
    }

    private string? TracepointSection(IMethodSymbol method)
    {
        if (GetAttribute(method, WellKnownNames.TracepointAttribute) is { } tp)
        {
            string? category = tp.ConstructorArguments.ElementAtOrDefault(0).Value as string;
            string? name = tp.ConstructorArguments.ElementAtOrDefault(1).Value as string;
            if (!IsTracefsName(category) || !IsTracefsName(name))
            {
                Report(BpfDiagnostics.InvalidProgramDeclaration, LocationOf(tp) ?? method.Locations.FirstOrDefault(), method.Name,
                    $"tracepoint category and name must be non-empty identifiers like (\"syscalls\", \"sys_enter_openat\"), not (\"{category}\", \"{name}\")");
                return null;
            }
            return $"tracepoint/{category}/{name}";
        }
        return null;
    }

    private static bool IsTracefsName(string? s) =>
        !string.IsNullOrEmpty(s) && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '.');

    private bool ValidateProgram(IMethodSymbol method, string section, ProgramKind kind)
    {
        Location? at = method.Locations.FirstOrDefault();
        if (!method.IsStatic || method.IsGenericMethod)
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name, "a program must be a non-generic static method");
            return false;
        }
        if (kind == ProgramKind.Syscall)
        {
            bool ok = method.ReturnType.SpecialType == SpecialType.System_Int32 && method.Parameters.Length == 1
                && method.Parameters[0].RefKind == RefKind.Ref && method.Parameters[0].Type is { TypeKind: TypeKind.Struct, IsUnmanagedType: true };
            if (!ok)
                Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                    $"a syscall program must have the signature 'static int {method.Name}(ref T args)' with T an unmanaged struct");
            return ok;
        }
        if (kind == ProgramKind.Network) return ValidateNetworkProgram(method, section, at);
        if (kind is ProgramKind.Context or ProgramKind.TracepointRecord) return ValidateContextProgram(method, section, kind, at);
        if (kind != ProgramKind.Tracepoint) return ValidateArgumentProgram(method, section, kind, at);
        if (method.ReturnType.SpecialType != SpecialType.System_Int32 ||
            method.Parameters.Length != 1 || method.Parameters[0].RefKind != RefKind.None ||
            method.Parameters[0].Type.ToDisplayString() != WellKnownNames.TracepointContext)
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
                $"a program in section '{section}' must have the signature 'static int {method.Name}(TracepointContext ctx)'");
            return false;
        }
        return true;
    }

    /// <summary>Programs whose parameters are read from the context: int return, by-value integer or
    /// pointer-sized parameters, no more than the context provides.</summary>
    private bool ValidateArgumentProgram(IMethodSymbol method, string section, ProgramKind kind, Location? at)
    {
        // pt_regs carries six argument registers on x86-64; tracing contexts up to MAX_BPF_FUNC_ARGS (12).
        int max = kind switch { ProgramKind.Kprobe => 6, ProgramKind.Kretprobe => 1, _ => 12 };
        if (method.ReturnType.SpecialType != SpecialType.System_Int32)
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name, $"a program in section '{section}' must return int");
            return false;
        }
        if (method.Parameters.Length > max)
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name, $"a program in section '{section}' can take at most {max} parameter(s)");
            return false;
        }
        foreach (IParameterSymbol p in method.Parameters)
        {
            bool scalar = p.Type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_UInt64 or SpecialType.System_IntPtr or SpecialType.System_UIntPtr
                || p.Type is IPointerTypeSymbol || p.Type.TypeKind == TypeKind.Enum;
            if (p.RefKind != RefKind.None || !scalar)
            {
                Report(BpfDiagnostics.InvalidProgramDeclaration, p.Locations.FirstOrDefault() ?? at, method.Name,
                    $"parameter '{p.Name}' must be an integer, enum or pointer passed by value: it is read from one 64-bit context slot");
                return false;
            }
        }
        return true;
    }

    private GlobalModel? ReadGlobal(IFieldSymbol field)
    {
        object? initial = null;
        if (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } init })
        {
            SemanticModel model = compilation.GetSemanticModel(init.SyntaxTree);
            Optional<object?> constant = model.GetConstantValue(init);
            IOperation? op = model.GetOperation(init);
            if (constant.HasValue) initial = constant.Value;
            else if (op is not (IDefaultValueOperation or IConversionOperation { Operand: IDefaultValueOperation }))
            {
                Report(BpfDiagnostics.UnsupportedConstruct, init.GetLocation(), $"the initializer of static field '{field.Name}'",
                    "a BPF global's initial value must be a constant (or default); set other values from the host before load");
                return null;
            }
        }
        // A non-numeric constant (a string) is refused when the global is laid out (CSBPF1002), not here.
        bool zero = initial is null || initial is false || (initial is IConvertible c and not string && c.ToDecimal(null) == 0);
        string section = field.IsReadOnly ? ".rodata" : zero ? ".bss" : ".data";
        return new GlobalModel(field, section, initial);
    }

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] args) =>
        diagnostics.Add(Diagnostic.Create(descriptor, location ?? Location.None, args));

    private static Location? LocationOf(AttributeData attribute) => attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();

    internal static AttributeData? GetAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName);

    /// <summary>Every type declared in the compilation's assembly, nested ones included.</summary>
    internal static IEnumerable<INamedTypeSymbol> AllTypesOf(CSharpCompilation compilation) => AllTypes(compilation.Assembly.GlobalNamespace);

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
    {
        foreach (INamespaceOrTypeSymbol member in ns.GetMembers())
        {
            if (member is INamespaceSymbol inner)
                foreach (INamedTypeSymbol t in AllTypes(inner)) yield return t;
            else if (member is INamedTypeSymbol type)
                foreach (INamedTypeSymbol t in WithNested(type)) yield return t;
        }
    }

    private static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type)
    {
        yield return type;
        foreach (INamedTypeSymbol nested in type.GetTypeMembers())
            foreach (INamedTypeSymbol t in WithNested(nested)) yield return t;
    }
}
