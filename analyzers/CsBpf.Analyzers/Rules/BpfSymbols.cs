using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>The program-side API's attribute types, resolved once per compilation, and what they say about
    /// classes (<c>[BpfProgram]</c>), program attributes (<c>[BpfProgramKind]</c>) and helper stubs
    /// (<c>[BpfHelper]</c>). Thread-safe: the caches are concurrent.</summary>
    internal sealed class BpfSymbols
    {
        private readonly INamedTypeSymbol _bpfProgram;
        private readonly INamedTypeSymbol _bpfHelper;
        private readonly INamedTypeSymbol _programKind;
        private readonly INamedTypeSymbol? _programTypes;
        private readonly ConcurrentDictionary<ISymbol, HelperInfo?> _helpers = new ConcurrentDictionary<ISymbol, HelperInfo?>(SymbolEqualityComparer.Default);

        private BpfSymbols(INamedTypeSymbol bpfProgram, INamedTypeSymbol bpfHelper, INamedTypeSymbol programKind, INamedTypeSymbol? programTypes)
        {
            _bpfProgram = bpfProgram;
            _bpfHelper = bpfHelper;
            _programKind = programKind;
            _programTypes = programTypes;
        }

        /// <summary>Null when the compilation does not reference the CsBpf program-side API.</summary>
        public static BpfSymbols? Resolve(Compilation compilation)
        {
            INamedTypeSymbol? program = compilation.GetTypeByMetadataName("CsBpf.BpfProgramAttribute");
            INamedTypeSymbol? helper = compilation.GetTypeByMetadataName("CsBpf.BpfHelperAttribute");
            INamedTypeSymbol? kind = compilation.GetTypeByMetadataName("CsBpf.BpfProgramKindAttribute");
            if (program is null || helper is null || kind is null) return null;
            return new BpfSymbols(program, helper, kind, compilation.GetTypeByMetadataName("CsBpf.BpfProgramTypes"));
        }

        /// <summary>True for a class marked <c>[BpfProgram]</c>.</summary>
        public bool IsBpfClass(INamedTypeSymbol? type) =>
            type != null && type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _bpfProgram));

        /// <summary>The <c>License</c> of a <c>[BpfProgram]</c> class, or null.</summary>
        public string? License(INamedTypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _bpfProgram))?
                .NamedArguments.FirstOrDefault(n => n.Key == "License").Value.Value as string;

        /// <summary>The program type a program attribute produces (its <c>[BpfProgramKind]</c>), or null.</summary>
        public ulong? ProgramKind(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null) return null;
            AttributeData? kind = attributeClass.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _programKind));
            return kind?.ConstructorArguments.FirstOrDefault().Value is object value ? System.Convert.ToUInt64(value) : (ulong?)null;
        }

        /// <summary>The <c>[BpfHelper]</c> of a stub (of its generic definition), or null.</summary>
        public HelperInfo? Helper(IMethodSymbol method) => _helpers.GetOrAdd(method.OriginalDefinition, m =>
        {
            AttributeData? a = m.GetAttributes().FirstOrDefault(x => SymbolEqualityComparer.Default.Equals(x.AttributeClass, _bpfHelper));
            if (a is null || !(a.ConstructorArguments.FirstOrDefault().Value is int id)) return null;
            ulong programs = ulong.MaxValue;
            bool gplOnly = false;
            foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
            {
                if (named.Key == "Programs" && named.Value.Value is object p) programs = System.Convert.ToUInt64(p);
                else if (named.Key == "GplOnly" && named.Value.Value is bool g) gplOnly = g;
            }
            return new HelperInfo(id, programs, gplOnly);
        });

        /// <summary>The <c>BpfProgramTypes</c> member names of the single flags in <paramref name="types"/>, e.g. "Kprobe, Tracepoint".</summary>
        public string Describe(ulong types)
        {
            if (types == ulong.MaxValue) return "every program type";
            var names = new List<string>();
            if (_programTypes != null)
                foreach (IFieldSymbol field in _programTypes.GetMembers().OfType<IFieldSymbol>())
                    if (field.ConstantValue is object v && System.Convert.ToUInt64(v) is ulong bit && bit != 0 && (bit & (bit - 1)) == 0 && (types & bit) != 0)
                        names.Add(field.Name);
            return names.Count == 0 ? "no program type" : string.Join(", ", names);
        }
    }
}
