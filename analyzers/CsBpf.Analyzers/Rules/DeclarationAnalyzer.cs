using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Declarations of a <c>[BpfProgram]</c> class: the license (CSBPF1004), map fields (CSBPF1005) and their key
    /// and value types (CSBPF1150, with the compiler's MapDeclarationReader and ModuleLowering.Maps), a class
    /// without programs (CSBPF1006) and globals (CSBPF1001/1002/0009). The checks, messages and locations are the
    /// compiler's (ProgramDiscovery), which drops its own copy of a diagnostic this analyzer already reported.
    /// Program attach targets and signatures stay in ProgramDiscovery, where each program kind is defined.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DeclarationAnalyzer : DiagnosticAnalyzer
    {
        private static readonly ImmutableArray<DiagnosticDescriptor> s_supported = ImmutableArray.Create(
            BpfDiagnostics.MissingLicense, BpfDiagnostics.InvalidMapDeclaration, BpfDiagnostics.InvalidProgramDeclaration,
            BpfDiagnostics.InvalidMapKeyOrValue, BpfDiagnostics.UnsupportedConstruct, BpfDiagnostics.UnsupportedType,
            BpfDiagnostics.FloatingPoint);

        /// <summary>Diagnostic property: the layout the struct named by a CSBPF1150 has ("Auto"; explicit layouts are laid out as the CLR does),
        /// for the code fix that makes it sequential.</summary>
        public const string LayoutProperty = "Layout";

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => s_supported;

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                BpfCodeSymbols? symbols = BpfCodeSymbols.TryCreate(start.Compilation);
                if (symbols is null) return;
                start.RegisterSymbolStartAction(symbolStart =>
                {
                    var type = (INamedTypeSymbol)symbolStart.Symbol;
                    AttributeData? attribute = BpfCodeSymbols.FindAttribute(type, symbols.BpfProgramAttribute);
                    if (attribute is null) return;
                    var initializers = new ConcurrentDictionary<IFieldSymbol, IOperation>(SymbolEqualityComparer.Default);
                    symbolStart.RegisterOperationBlockAction(block =>
                    {
                        if (block.OwningSymbol is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.ContainingType, type))
                            foreach (IOperation root in block.OperationBlocks)
                                if (root is IFieldInitializerOperation init) initializers[field] = init.Value;
                    });
                    symbolStart.RegisterSymbolEndAction(end =>
                        new ClassCheck(type, attribute, symbols, initializers, end.ReportDiagnostic).Run());
                }, SymbolKind.NamedType);
            });
        }

        private sealed class ClassCheck
        {
            private readonly INamedTypeSymbol _type;
            private readonly AttributeData _attribute;
            private readonly BpfCodeSymbols _symbols;
            private readonly IReadOnlyDictionary<IFieldSymbol, IOperation> _initializers;
            private readonly Action<Diagnostic> _report;
            private int _errors;

            public ClassCheck(INamedTypeSymbol type, AttributeData attribute, BpfCodeSymbols symbols,
                IReadOnlyDictionary<IFieldSymbol, IOperation> initializers, Action<Diagnostic> report)
            {
                _type = type;
                _attribute = attribute;
                _symbols = symbols;
                _initializers = initializers;
                _report = report;
            }

            private void Report(DiagnosticDescriptor descriptor, Location? at, params object[] args)
            {
                _errors++;
                _report(Diagnostic.Create(descriptor, at ?? Location.None, args));
            }

            private Location? TypeLocation => _type.Locations.FirstOrDefault();

            public void Run()
            {
                string? license = _attribute.NamedArguments.FirstOrDefault(a => a.Key == "License").Value.Value as string;
                if (string.IsNullOrEmpty(license))
                    Report(BpfDiagnostics.MissingLicense, LocationOf(_attribute) ?? TypeLocation, _type.Name);

                bool anyProgram = false;
                foreach (ISymbol member in _type.GetMembers())
                {
                    if (member is IFieldSymbol field && BpfCodeSymbols.HasAttribute(field, _symbols.MapAttribute))
                        CheckMap(field);
                    else if (member is IFieldSymbol { IsStatic: true, IsConst: false, IsImplicitlyDeclared: false } global)
                        CheckGlobal(global);
                    else if (member is IMethodSymbol method && CheckProgram(method) is bool valid)
                        anyProgram |= valid;
                }
                if (!anyProgram && _errors == 0)
                    Report(BpfDiagnostics.InvalidProgramDeclaration, TypeLocation, _type.Name,
                        "the class has no program method: mark a static method with a program attribute such as [Tracepoint(\"syscalls\", \"sys_enter_openat\")]");
            }

            // ---- maps ----

            private void CheckMap(IFieldSymbol field)
            {
                Location? at = field.Locations.FirstOrDefault();
                if (!field.IsStatic || !field.IsReadOnly)
                {
                    Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name, "a map field must be 'static readonly'");
                    return;
                }
                if (field.Type is not INamedTypeSymbol mapType || !_symbols.IsMapType(mapType))
                {
                    Report(BpfDiagnostics.InvalidMapDeclaration, at, field.Name, $"'{field.Type}' is not a BPF map type (use a map class of CsBpf such as HashMap<TKey, TValue>, ArrayMap<T> or RingBuffer)");
                    return;
                }
                // Sizes and options (maxEntries, ring sizes, inner maps, flags: CSBPF1150-1156) are checked by the
                // compiler's MapDeclarationReader; the key and value types here. Type arguments that are maps
                // (maps of maps) are map templates, not data.
                                // Maps of maps (BPF_MAP_TYPE_ARRAY_OF_MAPS 12, HASH_OF_MAPS 13): the last type argument is the inner map
                // template, which the compiler checks (CSBPF1154).
                bool mapOfMaps = BpfCodeSymbols.FindAttribute(mapType.OriginalDefinition, _symbols.BpfMapKindAttribute) is { ConstructorArguments: { Length: > 0 } kind }
                    && kind[0].Value is int typeId && typeId is 12 or 13;
                for (int i = 0; i < mapType.TypeArguments.Length - (mapOfMaps ? 1 : 0); i++)
                {
                    ITypeSymbol argument = mapType.TypeArguments[i];
                    if (_symbols.IsMapType(argument)) continue;
                    string role = mapType.TypeArguments.Length == 2 && i == 0 ? "key" : "value";
                    CheckPlainData(field, role, argument);
                }
            }

            /// <summary>CSBPF1150: the kernel sees a key or value as the bytes of the compiler's sequential layout;
            /// the host as the CLR's. They agree only for plain unmanaged data laid out sequentially.</summary>
            private void CheckPlainData(IFieldSymbol field, string role, ITypeSymbol type)
            {
                if (WhyNotPlain(type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default)) is not var (why, culprit, layout)) return;
                var properties = ImmutableDictionary<string, string?>.Empty;
                var additional = new List<Location>();
                if (layout is not null && culprit?.DeclaringSyntaxReferences.FirstOrDefault() is { } declaration)
                {
                    properties = properties.Add(LayoutProperty, layout);
                    additional.Add(declaration.GetSyntax().GetLocation());
                }
                _errors++;
                _report(Diagnostic.Create(BpfDiagnostics.InvalidMapKeyOrValue, field.Locations.FirstOrDefault() ?? Location.None, additional, properties,
                    field.Name, $"the {role} type '{type.ToDisplayString()}' is not plain data the kernel and the host can share: {why}"));
            }

            private (string Why, INamedTypeSymbol? Culprit, string? Layout)? WhyNotPlain(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
            {
                if (type.TypeKind == TypeKind.Error) return null; // the C# compiler reports it
                if (UnsupportedConstructAnalyzer.IsFloatingPoint(type))
                    return ($"'{type}' is floating point, which the kernel does not allow in BPF programs; use an integer (e.g. fixed point)", null, null);
                if (type.IsReferenceType)
                    return ($"'{type}' is a reference type; use an unmanaged struct", null, null);
                if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } s || s.SpecialType != SpecialType.None || !visiting.Add(s)) return null;
                int? kind = _symbols.LayoutKind(s);
                // Sequential (with Pack and Size) and explicit layouts, fixed buffers and inline arrays are laid out
                // byte for byte as the CLR does (compiler/Types/TypeMapper.Layouts). LayoutKind.Auto (3): the CLR may reorder the fields, so the host would read other bytes than BPF writes.
                if (kind == 3)
                    return ($"'{s.Name}' has auto layout, so the CLR may reorder its fields; use [StructLayout(LayoutKind.Sequential)] (the default)", s, "Auto");
                foreach (ISymbol member in s.GetMembers())
                {
                    if (member is not IFieldSymbol { IsStatic: false, IsConst: false } f) continue;
                    if (WhyNotPlain(f.Type, visiting) is { } inner)
                        return inner.Culprit is null && !SymbolEqualityComparer.Default.Equals(f.Type, type)
                            ? ($"its field '{f.Name}' is not plain data: {inner.Why}", inner.Culprit, inner.Layout)
                            : inner;
                }
                return null;
            }

            private void CheckGlobal(IFieldSymbol field)
            {
                // Every static field of the class becomes a BPF global (.rodata/.data/.bss), used or not.
                Location? at = field.Locations.FirstOrDefault();
                if (UnsupportedConstructAnalyzer.IsFloatingPoint(field.Type))
                    Report(BpfDiagnostics.FloatingPoint, at, field.Name, field.Type.ToDisplayString());
                else if (field.Type.IsReferenceType && field.Type.TypeKind != TypeKind.Error)
                    Report(BpfDiagnostics.UnsupportedType, at, field.Type.ToDisplayString(),
                        "reference types live on the managed heap, which BPF programs cannot use; use an unmanaged struct");
                if (!_initializers.TryGetValue(field, out IOperation? init)) return;
                if (init.ConstantValue.HasValue) return;
                if (init is IDefaultValueOperation or IConversionOperation { Operand: IDefaultValueOperation }) return;
                Report(BpfDiagnostics.UnsupportedConstruct, init.Syntax.GetLocation(), $"the initializer of static field '{field.Name}'",
                    "a BPF global's initial value must be a constant (or default); set other values from the host before load");
            }

            // ---- programs ----

            /// <summary>Null when the method is not a program, else true. The program's attach target and signature
            /// (CSBPF1006) are checked by the compiler's ProgramDiscovery, which the program kinds' owners extend.</summary>
            private bool? CheckProgram(IMethodSymbol method) => _symbols.ProgramAttribute(method) is not null ? true : (bool?)null;

            private static Location? LocationOf(AttributeData attribute) => attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
        }
    }
}
