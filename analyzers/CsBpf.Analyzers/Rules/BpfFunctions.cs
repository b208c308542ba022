using System.Linq;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Which methods BPF code can call as BPF functions, shared by the analyzers and the compiler so both refuse the
    /// same calls with the same ID and message: every method whose source is in the project — static methods of
    /// any type (helper libraries such as <c>static class PacketMath</c>, extension methods), and the non-virtual
    /// instance members of structs (methods, constructors, property and indexer accessors, operators) — unless it
    /// is generic, virtual, an instance member of a class, extern, params/varargs or without a body.
    /// </summary>
    public static class BpfFunctions
    {
        /// <summary>True when the source of <paramref name="method"/> is in <paramref name="compilation"/> (its
        /// body can be compiled to BPF).</summary>
        public static bool HasSourceIn(IMethodSymbol method, Compilation compilation)
        {
            IMethodSymbol definition = method.PartialImplementationPart ?? method;
            return !definition.DeclaringSyntaxReferences.IsEmpty
                && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, compilation.Assembly);
        }

        /// <summary>
        /// Why a call of <paramref name="method"/> (quoted as <paramref name="callText"/>) cannot be a BPF-to-BPF
        /// call: the rule and its message arguments, or null when it can.
        /// </summary>
        public static (DiagnosticDescriptor Rule, object[] Arguments)? Refusal(IMethodSymbol method, Compilation compilation, string callText)
        {
            IMethodSymbol definition = method.PartialImplementationPart ?? method;
            string name = method.ToDisplayString();
            bool implicitConstructor = method.MethodKind == MethodKind.Constructor && method.IsImplicitlyDeclared && method.Parameters.IsEmpty;
            if (method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType?.TypeKind == TypeKind.Interface)
                return (BpfDiagnostics.VirtualCall, new object[] { callText });
            if ((definition.DeclaringSyntaxReferences.IsEmpty && !implicitConstructor)
                || !SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, compilation.Assembly))
            {
                if (method.IsImplicitlyDeclared && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, compilation.Assembly))
                    return Construct($"'{name}', a member the C# compiler generates", "it has no source to compile; write the member yourself (e.g. a static method comparing the fields)");
                return (BpfDiagnostics.UnsupportedCall, new object[] { name });
            }
            if (method.IsImplicitlyDeclared && !implicitConstructor && !IsAutoAccessor(method))
                return Construct($"'{name}', a member the C# compiler generates", "it has no source to compile; write the member yourself (e.g. a static method comparing the fields)");
            if (method.MethodKind == MethodKind.Constructor && method.ContainingType is { IsRecord: true } record
                && definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is TypeDeclarationSyntax)
                return Construct($"the primary constructor of the record struct '{record.Name}'", "the C# compiler generates its body; declare a plain struct with a constructor");
            if (method.IsGenericMethod || IsInGenericType(method.ContainingType))
                return (BpfDiagnostics.GenericMemberCall, new object[] { name });
            if (method.IsExtern)
                return Construct($"the extern method '{name}'", "it has no body to compile");
            if (!method.IsStatic && method.ContainingType?.TypeKind != TypeKind.Struct)
                return (BpfDiagnostics.ClassInstanceMember, new object[] { name, method.ContainingType?.Name ?? "" });
            if (method.IsVararg || method.Parameters.Any(p => p.IsParams))
                return Construct("a params or varargs call", "it has no BPF equivalent");
            if (definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is MethodDeclarationSyntax { Body: null, ExpressionBody: null })
                return Construct($"the call to '{name}', which has no body", "give the method a body");
            return null;
        }

        /// <summary>True for a lambda passed as the callback of <c>Bpf.Loop(count, callback, ref state)</c>: compiled as a
        /// BPF function (a bpf_loop callback) when it is <c>static</c>, so it captures nothing.</summary>
        public static bool IsLoopCallbackLambda(IAnonymousFunctionOperation lambda)
        {
            IOperation? parent = lambda.Parent;
            while (parent is IDelegateCreationOperation || parent is IConversionOperation { IsImplicit: true }) parent = parent.Parent;
            return parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "Loop" } loop } }
                && loop.ContainingType?.ToDisplayString() == "CsBpf.Bpf";
        }

        /// <summary>Why a Bpf.Loop callback lambda cannot be a BPF function (it is not static), or null.</summary>
        public static (DiagnosticDescriptor Rule, object[] Arguments)? LoopLambdaRefusal(IAnonymousFunctionOperation lambda) =>
            lambda.Symbol.IsStatic ? null
                : Construct("a Bpf.Loop callback lambda that is not static",
                    "mark it static, e.g. Bpf.Loop(n, static (uint i, ref T state) => ..., ref state): a static lambda captures no variables, so it is a plain BPF function");

        /// <summary>An accessor of a property with a backing field the C# compiler declares (<c>get;</c>, <c>set;</c>, a
        /// record's positional property): BPF code reads and writes the field.</summary>
        private static bool IsAutoAccessor(IMethodSymbol method) =>
            method.AssociatedSymbol is IPropertySymbol property
            && property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

        private static (DiagnosticDescriptor, object[]) Construct(string what, string instead) =>
            (BpfDiagnostics.UnsupportedConstruct, new object[] { what, instead });

        private static bool IsInGenericType(INamedTypeSymbol? type)
        {
            for (; type is not null; type = type.ContainingType)
                if (type.IsGenericType) return true;
            return false;
        }
    }
}
