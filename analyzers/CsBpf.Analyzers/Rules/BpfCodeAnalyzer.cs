using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Base of the rules that check BPF code. Symbols are resolved once per compilation; for each
    /// <c>[BpfProgram]</c> class the method bodies are collected while Roslyn analyses its members
    /// (concurrently), and at the end of the class the reachable BPF code (<see cref="BpfClassCode"/>) is handed
    /// to <see cref="AnalyzeClass"/>. Only code reachable from a program method is BPF code: the compiler lowers
    /// exactly that, so host-side members of the same class are never flagged.
    /// </summary>
    /// <remarks>Methods of another <c>[BpfProgram]</c> class called from this one are checked by that class's own
    /// analysis only when its programs reach them; the compiler checks the rest when it lowers them.</remarks>
    public abstract class BpfCodeAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>True when <see cref="BpfMethodCode.Graph"/> is needed (flow rules).</summary>
        internal virtual bool NeedsControlFlowGraph => false;

        /// <inheritdoc/>
        public sealed override void Initialize(AnalysisContext context)
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
                    if (!symbols.IsBpfClass(type)) return;
                    var bodies = new ConcurrentBag<(IMethodSymbol Method, IOperation Body, ControlFlowGraph? Graph)>();
                    symbolStart.RegisterOperationBlockAction(block =>
                    {
                        if (block.OwningSymbol is not IMethodSymbol owner || !SymbolEqualityComparer.Default.Equals(owner.ContainingType, type)) return;
                        IMethodSymbol method = owner.PartialDefinitionPart ?? owner;
                        // The method body operation, or its block when the host hands out blocks.
                        IOperation? root = null;
                        foreach (IOperation candidate in block.OperationBlocks)
                            if (candidate is IMethodBodyOperation || candidate is IBlockOperation && root is null) root = candidate;
                        if (root is null) return;
                        ControlFlowGraph? graph = NeedsControlFlowGraph ? block.GetControlFlowGraph(root) : null;
                        bodies.Add((method, root, graph));
                    });
                    symbolStart.RegisterSymbolEndAction(end =>
                    {
                        BpfClassCode code = Build(type, symbols, bodies, end.CancellationToken);
                        if (!code.Methods.IsEmpty) AnalyzeClass(code, end.ReportDiagnostic, end.CancellationToken);
                    });
                }, SymbolKind.NamedType);
            });
        }

        /// <summary>Checks the reachable BPF code of one class.</summary>
        internal abstract void AnalyzeClass(BpfClassCode code, Action<Diagnostic> report, CancellationToken cancellationToken);

        private static BpfClassCode Build(INamedTypeSymbol type, BpfCodeSymbols symbols,
            IEnumerable<(IMethodSymbol Method, IOperation Body, ControlFlowGraph? Graph)> bodies, CancellationToken cancellationToken)
        {
            var all = new Dictionary<IMethodSymbol, (IOperation Body, ControlFlowGraph? Graph)>(SymbolEqualityComparer.Default);
            foreach (var (method, body, graph) in bodies)
                if (!all.ContainsKey(method)) all[method] = (body, graph);

            // Entry points, then everything they reach through calls to static methods of the class.
            var calls = new Dictionary<IMethodSymbol, ImmutableArray<BpfCall>>(SymbolEqualityComparer.Default);
            var order = new List<IMethodSymbol>();
            var queue = new Queue<IMethodSymbol>();
            var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (IMethodSymbol method in SortedBySource(all.Keys))
                if (symbols.ProgramAttribute(method) is not null && seen.Add(method)) queue.Enqueue(method);
            while (queue.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IMethodSymbol method = queue.Dequeue();
                order.Add(method);
                ImmutableArray<BpfCall> outgoing = CallsIn(all[method].Body, type, all, symbols);
                calls[method] = outgoing;
                foreach (BpfCall call in outgoing)
                    if (seen.Add(call.Callee)) queue.Enqueue(call.Callee);
            }

            var methods = ImmutableArray.CreateBuilder<BpfMethodCode>(order.Count);
            foreach (IMethodSymbol method in SortedBySource(order))
            {
                var (body, graph) = all[method];
                methods.Add(new BpfMethodCode(method, body, graph, calls[method], symbols.ProgramAttribute(method)));
            }
            var code = new BpfClassCode(type, symbols, methods.MoveToImmutable());
            FillReachedFrom(code);
            return code;
        }

        /// <summary>Calls to static, non-generic methods of <paramref name="type"/> that have a body: the calls the
        /// compiler turns into BPF-to-BPF calls, and the callbacks of <c>Bpf.Loop</c> (bpf_loop calls them; the
        /// call's site is the Bpf.Loop invocation).</summary>
        private static ImmutableArray<BpfCall> CallsIn(IOperation body, INamedTypeSymbol type,
            Dictionary<IMethodSymbol, (IOperation, ControlFlowGraph?)> all, BpfCodeSymbols symbols)
        {
            var result = ImmutableArray.CreateBuilder<BpfCall>();
            foreach (IOperation op in body.Descendants())
            {
                IMethodSymbol? target = null;
                IInvocationOperation? site = null;
                if (op is IInvocationOperation invocation)
                    (target, site) = (invocation.TargetMethod, invocation);
                else if (op is IMethodReferenceOperation { Method: var callback } && LoopInvocation(op, symbols) is { } loop)
                    (target, site) = (callback, loop);
                if (target is { IsStatic: true, IsGenericMethod: false } && site is not null
                    && SymbolEqualityComparer.Default.Equals(target.ContainingType, type) && all.ContainsKey(target.OriginalDefinition.PartialDefinitionPart ?? target.OriginalDefinition))
                    result.Add(new BpfCall(target.OriginalDefinition.PartialDefinitionPart ?? target.OriginalDefinition, site));
            }
            return result.ToImmutable();
        }

        /// <summary>The <c>Bpf.Loop(count, Callback, ref state)</c> call whose callback is the method group <paramref name="methodReference"/>.</summary>
        internal static IInvocationOperation? LoopInvocation(IOperation methodReference, BpfCodeSymbols symbols)
        {
            IOperation op = methodReference;
            if (op.Parent is not IDelegateCreationOperation creation) return null;
            op = creation;
            while (op.Parent is IConversionOperation { IsImplicit: true } c) op = c;
            return op.Parent is IArgumentOperation { Parameter.Ordinal: 1, Parent: IInvocationOperation { TargetMethod: { Name: "Loop", IsGenericMethod: true } loop } invocation }
                   && SymbolEqualityComparer.Default.Equals(loop.ContainingType, symbols.Bpf) ? invocation : null;
        }

        private static void FillReachedFrom(BpfClassCode code)
        {
            var reached = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (BpfMethodCode program in code.Methods)
            {
                if (!program.IsProgram) continue;
                var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { program.Method };
                var stack = new Stack<IMethodSymbol>();
                stack.Push(program.Method);
                while (stack.Count > 0)
                {
                    IMethodSymbol m = stack.Pop();
                    if (!reached.TryGetValue(m, out var list)) reached[m] = list = new List<IMethodSymbol>();
                    list.Add(program.Method);
                    foreach (BpfCall call in code.Find(m)!.Calls)
                        if (seen.Add(call.Callee)) stack.Push(call.Callee);
                }
            }
            foreach (BpfMethodCode m in code.Methods)
                if (reached.TryGetValue(m.Method, out var list)) m.ReachedFrom = list.ToImmutableArray();
        }

        /// <summary>Methods by their first declaration's file and position.</summary>
        internal static List<IMethodSymbol> SortedBySource(IEnumerable<IMethodSymbol> methods)
        {
            var list = new List<IMethodSymbol>(methods);
            list.Sort((a, b) =>
            {
                Location la = a.Locations.IsEmpty ? Location.None : a.Locations[0], lb = b.Locations.IsEmpty ? Location.None : b.Locations[0];
                int c = string.CompareOrdinal(la.SourceTree?.FilePath, lb.SourceTree?.FilePath);
                return c != 0 ? c : la.SourceSpan.Start.CompareTo(lb.SourceSpan.Start);
            });
            return list;
        }
    }
}
