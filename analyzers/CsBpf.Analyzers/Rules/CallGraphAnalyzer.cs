using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Rules over the BPF call graph: recursion (CSBPF0008, the verifier rejects any call-graph cycle) and the
    /// stack budget (CSBPF0015): BPF has 512 bytes of stack for a whole call chain (MAX_BPF_STACK, checked by
    /// the verifier's check_max_stack_depth) and LLVM's BPF back end refuses a single frame over 512.
    /// </summary>
    /// <remarks>
    /// The frame estimate counts what must live in memory: stackalloc buffers, locals whose address is taken
    /// (ref/out/in arguments, map keys and values, ref locals, address-of), spilled map arguments and by-value
    /// struct copies, each in an 8-byte aligned slot. Locals that stay in registers are not counted, so the
    /// estimate errs low: a reported frame really is too large.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CallGraphAnalyzer : BpfCodeAnalyzer
    {
        /// <summary>The kernel's stack for a program: MAX_BPF_STACK (include/linux/filter.h).</summary>
        public const int MaxStack = 512;

        private static readonly ImmutableArray<DiagnosticDescriptor> s_supported = ImmutableArray.Create(BpfDiagnostics.Recursion, BpfDiagnostics.StackLimit);

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => s_supported;

        internal override void AnalyzeClass(BpfClassCode code, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            var recursive = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (BpfMethodCode method in code.Methods)
                foreach (BpfCall call in method.Calls)
                    if (Reaches(code, call.Callee, method.Method))
                    {
                        recursive.Add(method.Method);
                        report(Diagnostic.Create(BpfDiagnostics.Recursion, call.Invocation.Syntax.GetLocation(), call.Callee.Name));
                    }

            var frames = new Dictionary<IMethodSymbol, long>(SymbolEqualityComparer.Default);
            foreach (BpfMethodCode method in code.Methods)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long frame = FrameSize(method, code.Symbols);
                frames[method.Method] = frame;
                if (frame > MaxStack)
                    report(Diagnostic.Create(BpfDiagnostics.StackLimit, Where(method.Method), method.Method.Name, "about " + frame, ""));
            }
            if (recursive.Count > 0) return; // chains through a cycle have no depth

            // The deepest chain of each program (frames of inlined callees add up the same way).
            var deepest = new Dictionary<IMethodSymbol, (long Bytes, ImmutableList<IMethodSymbol> Chain)>(SymbolEqualityComparer.Default);
            (long, ImmutableList<IMethodSymbol>) Deepest(BpfMethodCode m)
            {
                if (deepest.TryGetValue(m.Method, out var known)) return known;
                (long Bytes, ImmutableList<IMethodSymbol> Chain) best = (0, ImmutableList<IMethodSymbol>.Empty);
                foreach (BpfCall call in m.Calls)
                    if (code.Find(call.Callee) is { } callee && Deepest(callee) is var c && c.Item1 > best.Bytes) best = c;
                var result = (frames[m.Method] + best.Bytes, best.Chain.Insert(0, m.Method));
                deepest[m.Method] = result;
                return result;
            }
            foreach (BpfMethodCode program in code.Methods)
            {
                if (!program.IsProgram || frames[program.Method] > MaxStack) continue;
                var (bytes, chain) = Deepest(program);
                if (bytes > MaxStack && chain.All(m => frames[m] <= MaxStack))
                    report(Diagnostic.Create(BpfDiagnostics.StackLimit, Where(program.Method), program.Method.Name, "about " + bytes,
                        " in the call chain " + string.Join(" -> ", chain.Select(m => m.Name))));
            }
        }

        private static Location Where(IMethodSymbol method) => method.Locations.IsEmpty ? Location.None : method.Locations[0];

        private static bool Reaches(BpfClassCode code, IMethodSymbol from, IMethodSymbol to)
        {
            var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { from };
            var pending = new Stack<IMethodSymbol>();
            pending.Push(from);
            while (pending.Count > 0)
            {
                IMethodSymbol m = pending.Pop();
                if (SymbolEqualityComparer.Default.Equals(m, to)) return true;
                if (code.Find(m) is not { } body) continue;
                foreach (BpfCall call in body.Calls)
                    if (seen.Add(call.Callee)) pending.Push(call.Callee);
            }
            return false;
        }

        /// <summary>The bytes of stack <paramref name="method"/>'s own frame needs at least.</summary>
        /// <remarks>Memory that lives for the whole call — stackalloc buffers (C# frees them at return), spilled
        /// map arguments and by-value struct copies — adds up. Locals kept in memory live for their C# scope
        /// (the compiler marks their lifetimes, FunctionLowering.Lifetimes, so LLVM gives locals of disjoint
        /// scopes the same slot): a scope needs its own locals plus the largest of the scopes nested in it.</remarks>
        internal static long FrameSize(BpfMethodCode method, BpfCodeSymbols symbols)
        {
            long bytes = 0;
            var inMemory = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            long SlotOf(ITypeSymbol? type) => TypeSizes.Of(type, symbols) is var (size, _) ? TypeSizes.Slot(size) : 8;
            void Escape(IOperation value)
            {
                ISymbol? root = RootVariable(value);
                if (root is not null) inMemory.Add(root);
            }

            foreach (IOperation op in method.Body.Descendants())
            {
                switch (op)
                {
                    case { Kind: OperationKind.None } when op.Syntax is StackAllocArrayCreationExpressionSyntax
                        && (op.Type is INamedTypeSymbol { TypeArguments: { Length: 1 } } && symbols.IsSpan(op.Type) || op.Type is IPointerTypeSymbol):
                        {
                            ITypeSymbol element = op.Type is IPointerTypeSymbol pointer ? pointer.PointedAtType : ((INamedTypeSymbol)op.Type).TypeArguments[0];
                            foreach (IOperation child in op.ChildOperations)
                                if (child.ConstantValue is { HasValue: true, Value: int count } && count > 0 && TypeSizes.Of(element, symbols) is var (size, _))
                                {
                                    bytes += TypeSizes.Slot(size * count);
                                    break;
                                }
                            break;
                        }
                    case IArgumentOperation { Parent: IInvocationOperation invocation } argument when argument.Parameter is { } parameter:
                        {
                            IOperation value = Unconverted(argument.Value);
                            bool mapArgument = symbols.MapOperationOf(invocation.TargetMethod) >= 0;
                            if (parameter.RefKind != RefKind.None) Escape(value);
                            else if (mapArgument && parameter.Ordinal < 2)
                            {
                                // Keys and values go to the helper by pointer: a local's own slot or a spilled copy.
                                if (value is ILocalReferenceOperation or IParameterReferenceOperation) Escape(value);
                                else bytes += SlotOf(value.Type);
                            }
                            else if (TypeSizes.Of(parameter.Type, symbols) is var (size, _) && IsStruct(parameter.Type)
                                     && symbols.HelperAttribute(invocation.TargetMethod) is null)
                            {
                                // A by-value struct argument to a BPF method: the callee gets its own copy.
                                bytes += TypeSizes.Slot(size);
                                Escape(value);
                            }
                            break;
                        }
                    case IAddressOfOperation addressOf:
                        Escape(addressOf.Reference);
                        break;
                    case ISimpleAssignmentOperation { IsRef: true } refAssignment:
                        Escape(refAssignment.Value);
                        break;
                }
            }
            long VariableSlot(ISymbol variable)
            {
                ITypeSymbol? type = variable switch { ILocalSymbol l when l.RefKind == RefKind.None => l.Type, IParameterSymbol p when p.RefKind == RefKind.None && !IsStruct(p.Type) => p.Type, _ => null };
                return type is null ? 0 : SlotOf(type);
            }

            // Locals by scope; what no scope declares (parameters) lives for the whole call.
            var placed = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            long ScopeBytes(IOperation scope, ImmutableArray<ILocalSymbol> locals)
            {
                long own = 0;
                foreach (ILocalSymbol local in locals)
                    if (inMemory.Contains(local) && placed.Add(local)) own += VariableSlot(local);
                return own + NestedBytes(scope);
            }
            long NestedBytes(IOperation op)
            {
                long largest = 0;
                foreach (IOperation child in op.ChildOperations)
                {
                    ImmutableArray<ILocalSymbol> locals = LocalsOf(child);
                    largest = Math.Max(largest, locals.IsDefaultOrEmpty ? NestedBytes(child) : ScopeBytes(child, locals));
                }
                return largest;
            }
            if (inMemory.Count > 0)
            {
                ImmutableArray<ILocalSymbol> rootLocals = LocalsOf(method.Body);
                bytes += rootLocals.IsDefaultOrEmpty ? NestedBytes(method.Body) : ScopeBytes(method.Body, rootLocals);
                foreach (ISymbol variable in inMemory)
                    if (!placed.Contains(variable)) bytes += VariableSlot(variable);
            }
            return bytes;
        }

        /// <summary>The locals a scope-introducing operation declares (a C# scope: Roslyn's LocalLifetime region).</summary>
        private static ImmutableArray<ILocalSymbol> LocalsOf(IOperation op) => op switch
        {
            IBlockOperation b => b.Locals,
            IForLoopOperation f => f.ConditionLocals.IsDefaultOrEmpty ? f.Locals : f.Locals.AddRange(f.ConditionLocals),
            ILoopOperation l => l.Locals,
            ISwitchOperation s => s.Locals,
            ISwitchCaseOperation c => c.Locals,
            IUsingOperation u => u.Locals,
            ICatchClauseOperation c => c.Locals,
            _ => default,
        };

        private static bool IsStruct(ITypeSymbol type) => type.TypeKind == TypeKind.Struct && type.SpecialType == SpecialType.None;

        /// <summary>The local or parameter whose storage <paramref name="op"/> designates (through field accesses).</summary>
        private static ISymbol? RootVariable(IOperation op)
        {
            while (true)
            {
                switch (Unconverted(op))
                {
                    case ILocalReferenceOperation l: return l.Local;
                    case IParameterReferenceOperation p: return p.Parameter;
                    case IDeclarationExpressionOperation { Expression: var e }: op = e; continue;
                    case IFieldReferenceOperation { Instance: { Type.IsValueType: true } instance }: op = instance; continue;
                    default: return null;
                }
            }
        }

        private static IOperation Unconverted(IOperation op)
        {
            while (op is IConversionOperation { IsImplicit: true } c) op = c.Operand;
            return op;
        }
    }
}
