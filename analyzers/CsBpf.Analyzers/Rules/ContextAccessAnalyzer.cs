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
    /// CSBPF0050/CSBPF0051: a program reads (or calls) a context member its program type may not use, or writes a
    /// field its type may only read, directly or through BPF-to-BPF calls. The members say which types may read and
    /// write them with <c>[ContextAccess(Read = ..., Write = ...)]</c>, from the kernel's per-type
    /// <c>is_valid_access</c> (net/core/filter.c): e.g. socket filters have no <c>data</c>/<c>data_end</c> and write
    /// only <c>cb[]</c>. The verifier would refuse the load with "invalid bpf_context access off=N size=M".
    /// Reported at the access when it is in the program's class, otherwise at the program method.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ContextAccessAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(BpfDiagnostics.ContextMemberNotAvailable, BpfDiagnostics.ContextFieldReadOnly);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                INamedTypeSymbol? access = start.Compilation.GetTypeByMetadataName("CsBpf.ContextAccessAttribute");
                INamedTypeSymbol? program = start.Compilation.GetTypeByMetadataName("CsBpf.BpfProgramAttribute");
                INamedTypeSymbol? kind = start.Compilation.GetTypeByMetadataName("CsBpf.BpfProgramKindAttribute");
                if (access is null || program is null || kind is null) return;
                var collector = new Collector(access, program, kind, start.Compilation.GetTypeByMetadataName("CsBpf.BpfProgramTypes"));
                start.RegisterOperationAction(collector.OnMember, OperationKind.PropertyReference, OperationKind.Invocation);
                start.RegisterSymbolAction(collector.OnMethod, SymbolKind.Method);
                start.RegisterCompilationEndAction(collector.Report);
            });
        }

        /// <summary>A context member used in a BPF method, or a BPF-to-BPF call (<see cref="Member"/> null).</summary>
        private sealed class Use
        {
            public Use(ISymbol? member, IMethodSymbol? callee, bool read, bool write, Location location)
            {
                Member = member;
                Callee = callee;
                Read = read;
                Write = write;
                Location = location;
            }

            public ISymbol? Member { get; }
            public IMethodSymbol? Callee { get; }
            public bool Read { get; }
            public bool Write { get; }
            public Location Location { get; }
        }

        /// <summary>One compilation's uses and programs, filled concurrently, checked at its end.</summary>
        private sealed class Collector
        {
            private readonly INamedTypeSymbol _access, _program, _kind;
            private readonly INamedTypeSymbol? _programTypes;
            private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<Use>> _uses = new ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<Use>>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<IMethodSymbol, (string Attribute, ulong Type)> _programs = new ConcurrentDictionary<IMethodSymbol, (string, ulong)>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<ISymbol, (ulong Read, ulong Write)?> _rules = new ConcurrentDictionary<ISymbol, (ulong, ulong)?>(SymbolEqualityComparer.Default);

            public Collector(INamedTypeSymbol access, INamedTypeSymbol program, INamedTypeSymbol kind, INamedTypeSymbol? programTypes)
            {
                _access = access;
                _program = program;
                _kind = kind;
                _programTypes = programTypes;
            }

            private bool IsBpfClass(INamedTypeSymbol? type) =>
                type != null && type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _program));

            /// <summary>The (read, write) program types of a member with <c>[ContextAccess]</c>, or null.</summary>
            private (ulong Read, ulong Write)? Rule(ISymbol member) => _rules.GetOrAdd(member.OriginalDefinition, m =>
            {
                AttributeData? a = m.GetAttributes().FirstOrDefault(x => SymbolEqualityComparer.Default.Equals(x.AttributeClass, _access));
                if (a is null) return null;
                ulong read = ulong.MaxValue, write = 0;
                foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
                {
                    if (named.Key == "Read" && named.Value.Value is object r) read = System.Convert.ToUInt64(r);
                    else if (named.Key == "Write" && named.Value.Value is object w) write = System.Convert.ToUInt64(w);
                }
                return (read, write);
            });

            public void OnMember(OperationAnalysisContext context)
            {
                // Every method with source in the project: programs reach helper libraries and struct members too.
                if (!(context.ContainingSymbol is IMethodSymbol caller) || caller.DeclaringSyntaxReferences.IsEmpty) return;
                Use? use = null;
                switch (context.Operation)
                {
                    case IPropertyReferenceOperation property when Rule(property.Property) != null:
                        var (read, write) = Direction(property);
                        use = new Use(property.Property.OriginalDefinition, null, read, write, property.Syntax.GetLocation());
                        break;
                    case IInvocationOperation invocation when Rule(invocation.TargetMethod) != null:
                        use = new Use(invocation.TargetMethod.OriginalDefinition, null, true, false, invocation.Syntax.GetLocation());
                        break;
                    case IInvocationOperation invocation when BpfFunctions.HasSourceIn(invocation.TargetMethod, context.Compilation):
                        use = new Use(null, invocation.TargetMethod.OriginalDefinition, false, false, invocation.Syntax.GetLocation());
                        break;
                }
                if (use != null) _uses.GetOrAdd(caller, _ => new ConcurrentQueue<Use>()).Enqueue(use);
            }

            /// <summary>Whether a property reference reads, writes or both (compound assignment, ++).</summary>
            private static (bool Read, bool Write) Direction(IOperation reference) => reference.Parent switch
            {
                ISimpleAssignmentOperation a when a.Target == reference => (false, true),
                ICompoundAssignmentOperation c when c.Target == reference => (true, true),
                IIncrementOrDecrementOperation i when i.Target == reference => (true, true),
                _ => (true, false),
            };

            public void OnMethod(SymbolAnalysisContext context)
            {
                var method = (IMethodSymbol)context.Symbol;
                if (!method.IsStatic || !IsBpfClass(method.ContainingType)) return;
                foreach (AttributeData attribute in method.GetAttributes())
                {
                    AttributeData? kind = attribute.AttributeClass?.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _kind));
                    if (kind?.ConstructorArguments.FirstOrDefault().Value is object type)
                    {
                        string name = attribute.AttributeClass!.Name;
                        _programs[method] = (name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - 9) : name, System.Convert.ToUInt64(type));
                        return;
                    }
                }
            }

            public void Report(CompilationAnalysisContext context)
            {
                var reported = new HashSet<(Location, string, bool)>();
                foreach (var program in _programs.OrderBy(p => p.Key.ContainingType.ToDisplayString(), System.StringComparer.Ordinal).ThenBy(p => p.Key.Name, System.StringComparer.Ordinal))
                {
                    IMethodSymbol entry = program.Key;
                    var (attribute, type) = program.Value;
                    var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                    var stack = new Stack<(IMethodSymbol Method, ImmutableArray<IMethodSymbol> Path)>();
                    stack.Push((entry, ImmutableArray<IMethodSymbol>.Empty));
                    while (stack.Count > 0)
                    {
                        var (method, path) = stack.Pop();
                        if (!visited.Add(method) || !_uses.TryGetValue(method, out var uses)) continue;
                        foreach (Use use in uses.OrderBy(u => u.Location.SourceSpan.Start))
                        {
                            if (use.Callee != null)
                            {
                                stack.Push((use.Callee, path.Add(use.Callee)));
                                continue;
                            }
                            var (read, write) = Rule(use.Member!)!.Value;
                            if (use.Read && (read & type) == 0) Emit(context, reported, BpfDiagnostics.ContextMemberNotAvailable, use, read, entry, attribute, type, method, path);
                            if (use.Write && (write & type) == 0) Emit(context, reported, BpfDiagnostics.ContextFieldReadOnly, use, write, entry, attribute, type, method, path);
                        }
                    }
                }
            }

            private void Emit(CompilationAnalysisContext context, HashSet<(Location, string, bool)> reported, DiagnosticDescriptor rule, Use use, ulong allowed,
                IMethodSymbol entry, string attribute, ulong type, IMethodSymbol where, ImmutableArray<IMethodSymbol> path)
            {
                bool sameClass = SymbolEqualityComparer.Default.Equals(where.ContainingType, entry.ContainingType);
                Location at = sameClass ? use.Location : entry.Locations[0];
                if (!reported.Add((at, entry.Name, rule == BpfDiagnostics.ContextFieldReadOnly))) return;
                string through = path.IsEmpty ? "" : " (reached through " + string.Join(" → ", path.Select(m => "'" + m.Name + "'")) + ")";
                if (!sameClass) through += $" (at {use.Location.GetLineSpan().Path}:{use.Location.GetLineSpan().StartLinePosition.Line + 1})";
                string member = use.Member!.ContainingType.Name + "." + use.Member.Name;
                context.ReportDiagnostic(Diagnostic.Create(rule, at, member, entry.Name, attribute, Describe(type), allowed == 0 ? "no" : Describe(allowed), through));
            }

            /// <summary>The <c>BpfProgramTypes</c> names of the single flags in <paramref name="types"/>.</summary>
            private string Describe(ulong types)
            {
                var names = new List<string>();
                if (_programTypes != null)
                    foreach (IFieldSymbol field in _programTypes.GetMembers().OfType<IFieldSymbol>())
                        if (field.ConstantValue is object v && System.Convert.ToUInt64(v) is ulong bit && bit != 0 && (bit & (bit - 1)) == 0 && (types & bit) != 0)
                            names.Add(field.Name);
                return names.Count == 0 ? "no" : string.Join(", ", names);
            }
        }
    }
}
