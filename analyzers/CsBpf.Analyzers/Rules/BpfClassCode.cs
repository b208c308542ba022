using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// The BPF code of one <c>[BpfProgram]</c> class, as the compiler will see it: the program methods and every
    /// static method of the class they reach through calls (other methods of the class — the generated loader,
    /// host-side helpers — are not BPF code and are not checked). Built by <see cref="BpfCodeAnalyzer"/> at the
    /// end of the class's symbol analysis.
    /// </summary>
    internal sealed class BpfClassCode
    {
        private readonly Dictionary<IMethodSymbol, BpfMethodCode> _byMethod;

        public BpfClassCode(INamedTypeSymbol type, BpfCodeSymbols symbols, ImmutableArray<BpfMethodCode> methods)
        {
            Class = type;
            Symbols = symbols;
            Methods = methods;
            _byMethod = new Dictionary<IMethodSymbol, BpfMethodCode>(SymbolEqualityComparer.Default);
            foreach (BpfMethodCode m in methods) _byMethod[m.Method] = m;
        }

        public INamedTypeSymbol Class { get; }
        public BpfCodeSymbols Symbols { get; }

        /// <summary>The reachable BPF methods, programs first, in source order (deterministic reports).</summary>
        public ImmutableArray<BpfMethodCode> Methods { get; }

        /// <summary>The BPF method of <paramref name="method"/>, or null when it is not reachable BPF code of this class.</summary>
        public BpfMethodCode? Find(IMethodSymbol method) => _byMethod.TryGetValue(method, out BpfMethodCode? m) ? m : null;
    }

    /// <summary>One reachable BPF method: its body, control-flow graph and calls to other BPF methods.</summary>
    internal sealed class BpfMethodCode
    {
        public BpfMethodCode(IMethodSymbol method, IOperation body, ControlFlowGraph? graph, ImmutableArray<BpfCall> calls, AttributeData? programAttribute)
        {
            Method = method;
            Body = body;
            Graph = graph;
            Calls = calls;
            ProgramAttribute = programAttribute;
        }

        public IMethodSymbol Method { get; }
        /// <summary>The root of the body's operation tree (a method body or block operation).</summary>
        public IOperation Body { get; }

        /// <summary>Roslyn's control-flow graph of the body (null unless the analyzer asked for graphs).</summary>
        public ControlFlowGraph? Graph { get; }

        /// <summary>Calls to static methods of the same class with a body (BPF-to-BPF calls once reachable).</summary>
        public ImmutableArray<BpfCall> Calls { get; }

        /// <summary>The program attribute (<c>[Tracepoint]</c>, …) when the method is a program entry point.</summary>
        public AttributeData? ProgramAttribute { get; }

        public bool IsProgram => ProgramAttribute is not null;

        /// <summary>The "programs reach me" set, filled by <see cref="BpfCodeAnalyzer"/>: the entry points whose
        /// call graph contains this method (for rules that depend on the program type).</summary>
        public ImmutableArray<IMethodSymbol> ReachedFrom { get; internal set; } = ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>A call from one BPF method to another.</summary>
    internal readonly struct BpfCall
    {
        public BpfCall(IMethodSymbol callee, IInvocationOperation invocation)
        {
            Callee = callee;
            Invocation = invocation;
        }

        public IMethodSymbol Callee { get; }
        public IInvocationOperation Invocation { get; }
    }
}
