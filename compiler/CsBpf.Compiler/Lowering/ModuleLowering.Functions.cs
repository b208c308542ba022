using System.Text;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Analyzers.Rules;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;

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
    /// Refuses (with the reason and what to write instead) a method BPF code cannot call as a BPF function: no
    /// source in the project (a library method, CSBPF1003), compiler-generated, generic, virtual, an instance
    /// member of a class, extern (the rule is shared with the analyzers: <see cref="BpfFunctions"/>).
    /// </summary>
    public void CheckCallable(IMethodSymbol method, Location callSite)
    {
        if (BpfFunctions.Refusal(method, Compilation, DiagnosticText.Snippet(callSite)) is var (rule, arguments))
            throw new LoweringException(Diagnostic.Create(rule, callSite, arguments));
    }

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
