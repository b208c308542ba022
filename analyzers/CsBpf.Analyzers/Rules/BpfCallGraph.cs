using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// The calls made by the methods of <c>[BpfProgram]</c> classes, collected while a compilation is analyzed
    /// (one instance per compilation, filled concurrently by operation actions), and the program entry points
    /// with their kernel program type. At compilation end it answers what each program reaches: helper calls
    /// directly in the program method or through BPF-to-BPF calls (any method whose source is in the project: static
    /// methods of <c>[BpfProgram]</c> classes and of helper libraries, struct members — methods, constructors,
    /// accessors, operators; see <see cref="BpfFunctions"/>), which is what the kernel verifies as one program.
    /// </summary>
    internal sealed class BpfCallGraph
    {
        private readonly BpfSymbols _symbols;
        private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<(IMethodSymbol Target, Location Location)>> _calls =
            new ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<(IMethodSymbol, Location)>>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, ProgramEntry> _programs =
            new ConcurrentDictionary<IMethodSymbol, ProgramEntry>(SymbolEqualityComparer.Default);

        private BpfCallGraph(BpfSymbols symbols) => _symbols = symbols;

        /// <summary>Starts collecting for the compilation; null when it does not reference the CsBpf API.</summary>
        public static BpfCallGraph? Register(CompilationStartAnalysisContext context)
        {
            BpfSymbols? symbols = BpfSymbols.Resolve(context.Compilation);
            if (symbols is null) return null;
            var graph = new BpfCallGraph(symbols);
            context.RegisterOperationAction(graph.OnInvocation, OperationKind.Invocation);
            context.RegisterOperationAction(graph.OnMemberUse, OperationKind.ObjectCreation, OperationKind.PropertyReference,
                OperationKind.Binary, OperationKind.Unary, OperationKind.Conversion, OperationKind.CompoundAssignment,
                OperationKind.Increment, OperationKind.Decrement);
            context.RegisterSymbolAction(graph.OnMethod, SymbolKind.Method);
            return graph;
        }

        public BpfSymbols Symbols => _symbols;

        private void OnInvocation(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            IMethodSymbol target = invocation.TargetMethod;
            if (_symbols.Helper(target) != null) AddCall(context, target, invocation.Syntax.GetLocation());
            else AddSourceCall(context, target, invocation.Syntax.GetLocation());
        }

        /// <summary>Constructors, property accessors and user-defined operators of the project are calls too.</summary>
        private void OnMemberUse(OperationAnalysisContext context)
        {
            Location at = context.Operation.Syntax.GetLocation();
            switch (context.Operation)
            {
                case IObjectCreationOperation { Constructor: { } constructor }: AddSourceCall(context, constructor, at); break;
                case IPropertyReferenceOperation property:
                    if (property.Property.GetMethod is { } getter) AddSourceCall(context, getter, at);
                    if (property.Property.SetMethod is { } setter) AddSourceCall(context, setter, at);
                    break;
                case IBinaryOperation { OperatorMethod: { } op }: AddSourceCall(context, op, at); break;
                case IUnaryOperation { OperatorMethod: { } op }: AddSourceCall(context, op, at); break;
                case IConversionOperation { OperatorMethod: { } op }: AddSourceCall(context, op, at); break;
                case ICompoundAssignmentOperation { OperatorMethod: { } op }: AddSourceCall(context, op, at); break;
                case IIncrementOrDecrementOperation { OperatorMethod: { } op }: AddSourceCall(context, op, at); break;
            }
        }

        private void AddSourceCall(OperationAnalysisContext context, IMethodSymbol target, Location at)
        {
            if (BpfFunctions.HasSourceIn(target, context.Compilation)) AddCall(context, target, at);
        }

        private void AddCall(OperationAnalysisContext context, IMethodSymbol target, Location at)
        {
            // Callers: the methods of [BpfProgram] classes and every other method with source in the project (a
            // program reaches them only through calls, so the others are never visited).
            if (!(context.ContainingSymbol is IMethodSymbol caller) || caller.DeclaringSyntaxReferences.IsEmpty) return;
            _calls.GetOrAdd(caller.PartialDefinitionPart ?? caller, _ => new ConcurrentQueue<(IMethodSymbol, Location)>())
                .Enqueue(((target.PartialDefinitionPart ?? target).OriginalDefinition, at));
        }

        private void OnMethod(SymbolAnalysisContext context)
        {
            var method = (IMethodSymbol)context.Symbol;
            if (!method.IsStatic || !_symbols.IsBpfClass(method.ContainingType)) return;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (_symbols.ProgramKind(attribute.AttributeClass) is ulong type)
                {
                    _programs[method] = new ProgramEntry(method, attribute.AttributeClass!.Name, type);
                    return;
                }
            }
        }

        /// <summary>The program entry points, in a stable order.</summary>
        public IEnumerable<ProgramEntry> Programs =>
            _programs.Values.OrderBy(p => p.Method.ContainingType.ToDisplayString(), System.StringComparer.Ordinal)
                .ThenBy(p => p.Method.Name, System.StringComparer.Ordinal);

        /// <summary>Every helper call <paramref name="entry"/> reaches, with the chain of methods that leads to it
        /// (empty when the program method calls the helper itself).</summary>
        public IEnumerable<HelperCall> HelperCallsOf(IMethodSymbol entry)
        {
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var stack = new Stack<(IMethodSymbol Method, ImmutableArray<IMethodSymbol> Path)>();
            stack.Push((entry, ImmutableArray<IMethodSymbol>.Empty));
            while (stack.Count > 0)
            {
                var (method, path) = stack.Pop();
                if (!visited.Add(method) || !_calls.TryGetValue(method, out var calls)) continue;
                foreach (var (target, location) in calls.OrderBy(c => c.Location.SourceSpan.Start))
                {
                    if (_symbols.Helper(target) is HelperInfo helper)
                        yield return new HelperCall(target, helper, location, method, path);
                    else
                        stack.Push((target, path.Add(target)));
                }
            }
        }
    }

    /// <summary>A program method and its kernel program type (a <c>BpfProgramTypes</c> flag).</summary>
    internal sealed class ProgramEntry
    {
        public ProgramEntry(IMethodSymbol method, string attributeName, ulong type)
        {
            Method = method;
            AttributeName = attributeName.EndsWith("Attribute", System.StringComparison.Ordinal) ? attributeName.Substring(0, attributeName.Length - 9) : attributeName;
            Type = type;
        }

        public IMethodSymbol Method { get; }

        /// <summary>The program attribute without its suffix, e.g. <c>Tracepoint</c>.</summary>
        public string AttributeName { get; }

        public ulong Type { get; }
    }

    /// <summary>What <c>[BpfHelper]</c> says about a stub.</summary>
    internal sealed class HelperInfo
    {
        public HelperInfo(int id, ulong programs, bool gplOnly)
        {
            Id = id;
            Programs = programs;
            GplOnly = gplOnly;
        }

        public int Id { get; }
        public ulong Programs { get; }
        public bool GplOnly { get; }
    }

    /// <summary>A helper call reached from a program: in <see cref="Caller"/>, through <see cref="Path"/>.</summary>
    internal sealed class HelperCall
    {
        public HelperCall(IMethodSymbol target, HelperInfo helper, Location location, IMethodSymbol caller, ImmutableArray<IMethodSymbol> path)
        {
            Target = target;
            Helper = helper;
            Location = location;
            Caller = caller;
            Path = path;
        }

        public IMethodSymbol Target { get; }
        public HelperInfo Helper { get; }
        public Location Location { get; }
        public IMethodSymbol Caller { get; }
        public ImmutableArray<IMethodSymbol> Path { get; }

        /// <summary>"Type.Method" of the stub.</summary>
        public string Name => Target.ContainingType.Name + "." + Target.Name;

        /// <summary>" (through A → B)" or empty.</summary>
        public string Through => Path.IsEmpty ? "" : " through " + string.Join(" → ", Path.Select(m => "'" + m.Name + "'"));
    }
}
