using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Analyzers.Generators
{
    /// <summary>Turns a <c>[BpfProgram]</c> class into a <see cref="LoaderModel"/>, or null when no loader can
    /// be generated (the class or a containing type is not partial, or a type is generic: the analyzers
    /// and the compiler report those).</summary>
    public static partial class LoaderModelBuilder
    {
        /// <summary>The format of the class's full name: the same as the compiler's <c>ClassFullName</c>
        /// (namespace and containing types joined by '.'), so the resource names agree.</summary>
        public static readonly SymbolDisplayFormat FullNameFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)
            .WithGenericsOptions(SymbolDisplayGenericsOptions.None);

        /// <summary>The transform of the generator's <c>ForAttributeWithMetadataName</c> step.</summary>
        public static LoaderModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetNode is not ClassDeclarationSyntax classSyntax) return null;
            if (context.TargetSymbol is not INamedTypeSymbol type) return null;
            if (!IsPartialNonGeneric(classSyntax)) return null;

            // The containing declarations as written around the attributed part.
            var containing = new List<TypeDeclarationModel>();
            foreach (var ancestor in classSyntax.Ancestors().OfType<TypeDeclarationSyntax>())
            {
                if (!IsPartialNonGeneric(ancestor)) return null;
                containing.Add(new TypeDeclarationModel("", Keyword(ancestor), ancestor.Identifier.ToString()));
            }
            containing.Reverse();

            cancellationToken.ThrowIfCancellationRequested();

            var maps = new List<MapModel>();
            var programs = new List<ProgramModel>();
            var globals = new List<GlobalModel>();
            foreach (var member in type.GetMembers())
            {
                switch (member)
                {
                    case IFieldSymbol field when HasMapAttribute(field):
                        if (ToMap(field) is { } map) maps.Add(map);
                        break;
                    case IFieldSymbol { IsStatic: true, IsConst: false, IsImplicitlyDeclared: false } field
                        when field.Type.IsUnmanagedType && field.Type.TypeKind != TypeKind.Error:
                        // A BPF global (the compiler's ProgramDiscovery.ReadGlobal): readonly → .rodata, else .data/.bss.
                        globals.Add(new GlobalModel(field.Name, Escape(field.Name),
                            field.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), field.IsReadOnly));
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when ProgramKind(method) is { } kind:
                        programs.Add(new ProgramModel(method.Name, Escape(method.Name), kind.Name, AttachOf(kind.Name, kind.Attribute), AttachArgument(method, kind.Name)));
                        break;
                }
            }

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
            string fullName = type.ToDisplayString(FullNameFormat);

            var self = new TypeDeclarationModel(Modifiers(type), Keyword(classSyntax), classSyntax.Identifier.ToString());
            bool hasLogging = CallsBpfLog(type, cancellationToken);
            return new LoaderModel(ns, containing.ToEquatableArray(), self, fullName, maps.ToEquatableArray(), programs.ToEquatableArray(),
                globals.ToEquatableArray(), hasLogging);
        }

        /// <summary>True when any part of the class calls <c>BpfLog.X(...)</c> (a syntax check: the compiler writes a
        /// format table exactly when it lowers such a call).</summary>
        private static bool CallsBpfLog(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                foreach (var invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    if (invocation.Expression is MemberAccessExpressionSyntax { Expression: var target } &&
                        target is IdentifierNameSyntax { Identifier.ValueText: "BpfLog" } or MemberAccessExpressionSyntax { Name.Identifier.ValueText: "BpfLog" } or AliasQualifiedNameSyntax { Name.Identifier.ValueText: "BpfLog" })
                        return true;
                }
            }
            return false;
        }

        private static bool IsPartialNonGeneric(TypeDeclarationSyntax syntax) =>
            syntax.Modifiers.Any(SyntaxKind.PartialKeyword) && syntax.TypeParameterList is null;

        private static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };

        private static string Modifiers(INamedTypeSymbol type)
        {
            string access = type.DeclaredAccessibility switch
            {
                Accessibility.Public => "public",
                Accessibility.Internal => "internal",
                Accessibility.Private => "private",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedOrInternal => "protected internal",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => "",
            };
            if (!type.IsStatic) return access;
            return access.Length == 0 ? "static" : access + " static";
        }

        private static bool IsInProgramNamespace(ISymbol symbol) =>
            symbol.ContainingNamespace is { Name: BpfKnownTypes.ProgramNamespace, ContainingNamespace.IsGlobalNamespace: true };

        private static bool HasMapAttribute(IFieldSymbol field) =>
            field.GetAttributes().Any(a => a.AttributeClass is { MetadataName: BpfKnownTypes.MapAttributeName } c && IsInProgramNamespace(c));

        private static MapModel? ToMap(IFieldSymbol field)
        {
            if (field.Type is not INamedTypeSymbol mapType) return null;
            if (mapType.TypeArguments.Any(t => t.TypeKind == TypeKind.Error)) return null;
            string hostType, getter;
            int arity;
            if (HostView(mapType.OriginalDefinition) is { } view)
            {
                // [BpfHostView("CsBpf.Runtime.BpfHashMap`2", "GetHashMap")]: the first N type arguments carry over.
                (hostType, arity) = SplitArity(view.TypeName);
                hostType = "global::" + hostType;
                getter = view.Accessor;
            }
            else if (IsInProgramNamespace(mapType) && BpfKnownTypes.MapTypes.TryGetValue(mapType.MetadataName, out var host))
            {
                (hostType, getter, arity) = (host.Type, host.Getter, host.TypeArgumentCount < 0 ? mapType.TypeArguments.Length : host.TypeArgumentCount);
            }
            else
            {
                return null;
            }
            if (arity > mapType.TypeArguments.Length) return null;
            string typeArguments = string.Join(", ", mapType.TypeArguments.Take(arity).Select(t => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
            return new MapModel(field.Name, Escape(field.Name), hostType, getter, typeArguments);
        }

        /// <summary>The <c>[BpfHostView(typeName, accessor)]</c> of a program-side map class, if it has a well-formed one.</summary>
        private static (string TypeName, string Accessor)? HostView(INamedTypeSymbol mapClass)
        {
            foreach (var attribute in mapClass.GetAttributes())
            {
                if (attribute.AttributeClass is not { MetadataName: BpfKnownTypes.HostViewAttributeName } c || !IsInProgramNamespace(c)) continue;
                if (attribute.ConstructorArguments.Length == 2 &&
                    attribute.ConstructorArguments[0].Value is string typeName && typeName.Length > 0 &&
                    attribute.ConstructorArguments[1].Value is string accessor && SyntaxFacts.IsValidIdentifier(accessor))
                    return (typeName, accessor);
            }
            return null;
        }

        /// <summary>"CsBpf.Runtime.BpfHashMap`2" → ("CsBpf.Runtime.BpfHashMap", 2); no backtick → arity 0.</summary>
        private static (string Name, int Arity) SplitArity(string metadataName)
        {
            int tick = metadataName.LastIndexOf('`');
            if (tick < 0 || !int.TryParse(metadataName.Substring(tick + 1), out int arity)) return (metadataName, 0);
            return (metadataName.Substring(0, tick), arity);
        }

        private static (string Name, AttributeData Attribute)? ProgramKind(IMethodSymbol method)
        {
            foreach (var attribute in method.GetAttributes())
            {
                if (attribute.AttributeClass is not { } c || !IsInProgramNamespace(c)) continue;
                if (!BpfKnownTypes.ProgramAttributeNames.Contains(c.MetadataName) || !DerivesFromAttribute(c)) continue;
                return (c.Name.Substring(0, c.Name.Length - "Attribute".Length), attribute);
            }
            return null;
        }

        /// <summary>Programs libbpf cannot attach from their section alone get typed attach methods instead.</summary>
        private static ProgramAttach AttachOf(string kind, AttributeData attribute) => kind switch
        {
            "PerfEvent" => ProgramAttach.PerfEvent,
            "Syscall" => ProgramAttach.None,
            "Xdp" or "Tc" or "SocketFilter" or "CgroupSkb" or "CgroupSockAddr" => ProgramAttach.Target,
            "Uprobe" or "Uretprobe" when attribute.ConstructorArguments.Length == 0 => ProgramAttach.Uprobe,
            "Usdt" when attribute.ConstructorArguments.Length == 0 => ProgramAttach.Usdt,
            _ => ProgramAttach.Auto,
        };

        private static bool DerivesFromAttribute(INamedTypeSymbol type)
        {
            for (var t = type.BaseType; t is not null; t = t.BaseType)
                if (t.SpecialType == SpecialType.None && t.MetadataName == "Attribute" &&
                    t.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true })
                    return true;
            return false;
        }

        /// <summary>The identifier for <paramref name="name"/> in C# code ('@' before keywords).</summary>
        public static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
    }
}
