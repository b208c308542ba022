using System.Text;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Compiler.Lowering;

/// <summary>
/// How a C# method becomes a BPF function: a struct result is written through a hidden first parameter (the
/// caller's fresh temporary, clang's <c>sret</c>), and an instance member of a struct takes <c>this</c> (the
/// receiver's address) next; the C# parameters follow. BPF functions return one register, so this is the only
/// way a struct result fits, and <c>this</c> as an address is what makes a mutating method change the caller's
/// storage, as C# does.
/// </summary>
internal readonly record struct FunctionAbi(bool ReturnsStruct, bool HasThis)
{
    /// <summary>The LLVM parameter index of the hidden result pointer (when <see cref="ReturnsStruct"/>).</summary>
    public int ResultIndex => 0;

    /// <summary>The LLVM parameter index of <c>this</c> (when <see cref="HasThis"/>).</summary>
    public int ThisIndex => ReturnsStruct ? 1 : 0;

    /// <summary>The LLVM parameter index of the first C# parameter.</summary>
    public int FirstParameter => (ReturnsStruct ? 1 : 0) + (HasThis ? 1 : 0);
}

// Which methods are BPF code (any method whose source is in the project: static methods of any type, and
// non-virtual instance members of structs — constructors, methods, accessors, operators), their ABI and their
// names in the object.
internal sealed partial class ModuleLowering
{
    private readonly Dictionary<IMethodSymbol, string> _mangledNames = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);

    /// <summary>The ABI of <paramref name="method"/> (see <see cref="FunctionAbi"/>).</summary>
    public FunctionAbi AbiOf(IMethodSymbol method)
    {
        Location at = method.Locations.FirstOrDefault() ?? Location.None;
        bool returnsStruct = !method.ReturnsVoid && !method.ReturnsByRef && !method.ReturnsByRefReadonly
            && LayoutOf(method.ReturnType, at).Category == TypeCategory.Struct;
        return new FunctionAbi(returnsStruct, !method.IsStatic);
    }

    /// <summary>
    /// Refuses (with the reason and what to write instead) a method BPF code cannot call as a BPF function:
    /// no source in the project (a library method, CSBPF1003), compiler-generated, generic, virtual or abstract,
    /// an instance member of a class, extern.
    /// </summary>
    public void CheckCallable(IMethodSymbol method, Location callSite)
    {
        IMethodSymbol definition = method.PartialImplementationPart ?? method;
        string name = method.ToDisplayString();
        if (definition.DeclaringSyntaxReferences.IsEmpty && !(method.MethodKind == MethodKind.Constructor && method.IsImplicitlyDeclared))
        {
            if (method.IsImplicitlyDeclared && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, Compilation.Assembly))
                throw Refuse(callSite, $"'{name}', a member the C# compiler generates", "it has no source to compile; write the member yourself (e.g. a static method comparing the fields)");
            throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, callSite, name));
        }
        if (!SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, Compilation.Assembly))
            throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, callSite, name));
        if (method.IsGenericMethod || IsInGenericType(method.ContainingType))
            throw Refuse(callSite, $"the call to the generic member '{name}'", "BPF code calls non-generic methods of non-generic types; write an overload for the types you use");
        if (method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType?.TypeKind == TypeKind.Interface)
            throw Refuse(callSite, $"the virtual or interface call '{name}'", "BPF code has no virtual dispatch; call a static or non-virtual struct method");
        if (method.IsExtern)
            throw Refuse(callSite, $"the extern method '{name}'", "it has no body to compile");
        if (!method.IsStatic && method.ContainingType?.TypeKind != TypeKind.Struct)
            throw Refuse(callSite, $"the instance member '{name}' of the class '{method.ContainingType?.Name}'",
                "BPF code has no objects on the managed heap; make the method static or a member of a struct");
        if (method.IsVararg || method.Parameters.Any(p => p.IsParams))
            throw Refuse(callSite, "a params or varargs call", "pass the values as ordinary parameters");
        if (definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is MethodDeclarationSyntax { Body: null, ExpressionBody: null })
            throw Refuse(callSite, $"the call to '{name}', which has no body", "give the method a body");
    }

    private static bool IsInGenericType(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.ContainingType)
            if (type.IsGenericType) return true;
        return false;
    }

    private static LoweringException Refuse(Location at, string what, string instead) =>
        new(Diagnostic.Create(BpfDiagnostics.UnsupportedConstruct, at, what, instead));

    /// <summary>BPF-to-BPF callees get unique, stable names that are C identifiers (the kernel requires them
    /// in BTF): Type_Method, plus the arity and parameter types for overloads, and a counter if still taken.</summary>
    private string MangledName(IMethodSymbol method)
    {
        if (_mangledNames.TryGetValue(method, out string? known)) return known;
        string baseName = method.ContainingType.Name + "_" + method.Name;
        bool overloaded = method.ContainingType.GetMembers(method.Name).Length > 1;
        if (overloaded) baseName += "_" + method.Parameters.Length + "_" + string.Join("_", method.Parameters.Select(p => p.Type.Name));
        string name = Identifier(baseName);
        for (int i = 2; !_usedNames.Add(name); i++) name = Identifier(baseName) + "_" + i;
        _mangledNames[method] = name;
        return name;
    }

    /// <summary>The name of a method's debug subprogram (its BTF FUNC): the C# name when it is an identifier
    /// (what bpftool and verifier logs show), else the mangled name (constructors, explicit implementations).</summary>
    public string DebugName(IMethodSymbol method, bool isProgram) =>
        isProgram || IsIdentifier(method.Name) ? method.Name : MangledName(method);

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Identifier(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return sb.ToString();
    }
}
