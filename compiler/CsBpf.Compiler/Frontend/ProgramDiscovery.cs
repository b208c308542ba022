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
internal sealed class ProgramDiscovery(CSharpCompilation compilation, List<Diagnostic> diagnostics)
{
    public IReadOnlyList<BpfClassModel> Discover(CancellationToken cancellationToken)
    {
        var result = new List<BpfClassModel>();
        foreach (INamedTypeSymbol type in AllTypes(compilation.Assembly.GlobalNamespace))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (GetAttribute(type, WellKnownNames.BpfProgramAttribute) is not { } attribute) continue;
            if (ReadClass(type, attribute) is { } model) result.Add(model);
        }
        result.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return result;
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
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is IFieldSymbol field && GetAttribute(field, WellKnownNames.MapAttribute) is not null)
            {
                if (ReadMap(field) is { } map) maps.Add(map);
            }
            else if (member is IMethodSymbol method && ProgramSection(method) is { } section)
            {
                if (ValidateProgram(method, section)) programs.Add(new ProgramModel(method, section));
            }
        }
        if (programs.Count == 0 && diagnostics.Count == errorsBefore)
            Report(BpfDiagnostics.InvalidProgramDeclaration, type.Locations.FirstOrDefault(), type.Name,
                "the class has no program method: mark a static method with a program attribute such as [Tracepoint(\"syscalls\", \"sys_enter_openat\")]");
        if (diagnostics.Count != errorsBefore) return null;
        return new BpfClassModel(type, FullNameOf(type), license!, maps, programs);
    }

    private string? ProgramSection(IMethodSymbol method)
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

    private bool ValidateProgram(IMethodSymbol method, string section)
    {
        Location? at = method.Locations.FirstOrDefault();
        if (!method.IsStatic || method.IsGenericMethod)
        {
            Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name, "a program must be a non-generic static method");
            return false;
        }
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

    private MapModel? ReadMap(IFieldSymbol field)
    {
        Location? at = field.Locations.FirstOrDefault();
        if (!field.IsStatic || !field.IsReadOnly)
        {
            Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name, "a map field must be 'static readonly'");
            return null;
        }
        if (field.Type is not INamedTypeSymbol mapType || GetAttribute(mapType.OriginalDefinition, WellKnownNames.BpfMapKindAttribute) is not { } kind)
        {
            Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name, $"'{field.Type}' is not a BPF map type (use HashMap<TKey, TValue> or ArrayMap<T>)");
            return null;
        }
        int typeId = Convert.ToInt32(kind.ConstructorArguments[0].Value);
        ITypeSymbol key, value;
        if (mapType.TypeArguments.Length == 2) { key = mapType.TypeArguments[0]; value = mapType.TypeArguments[1]; }
        else { key = compilation.GetSpecialType(SpecialType.System_UInt32); value = mapType.TypeArguments[0]; }

        long? maxEntries = ReadMaxEntries(field);
        if (maxEntries is not > 0 || maxEntries > uint.MaxValue)
        {
            Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name,
                "the initializer must be 'new(maxEntries: N)' with N a constant between 1 and 4294967295");
            return null;
        }
        return new MapModel(field, typeId, key, value, maxEntries.Value);
    }

    private long? ReadMaxEntries(IFieldSymbol field)
    {
        if (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } init }) return null;
        SemanticModel model = compilation.GetSemanticModel(init.SyntaxTree);
        IOperation? op = model.GetOperation(init);
        while (op is IConversionOperation c) op = c.Operand;
        if (op is not IObjectCreationOperation creation) return null;
        IArgumentOperation? arg = creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "maxEntries");
        return arg?.Value.ConstantValue is { HasValue: true, Value: { } v } ? Convert.ToInt64(v) : null;
    }

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] args) =>
        diagnostics.Add(Diagnostic.Create(descriptor, location ?? Location.None, args));

    private static Location? LocationOf(AttributeData attribute) => attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();

    internal static AttributeData? GetAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName);

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
