using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

/// <summary>
/// Lowers one method body, walking Roslyn's <see cref="ControlFlowGraph"/>: one LLVM block per reachable
/// basic block, every local, parameter and flow capture in an entry-block <c>alloca</c> (LLVM's mem2reg/SROA
/// turn them into registers). Partial files: expressions, calls and intrinsics.
/// </summary>
internal sealed partial class FunctionLowering
{
    private readonly ModuleLowering _module;
    private readonly LlvmModule _llvm;
    private readonly IMethodSymbol _method;
    private readonly LValue _function;
    private readonly Dictionary<ISymbol, LValue> _slots = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<CaptureId, Capture> _captures = new();
    private readonly Dictionary<CaptureId, IFieldSymbol> _mapCaptures = new();
    private readonly HashSet<CaptureId> _lvalueCaptures = new();
    private readonly HashSet<ISymbol> _writtenVariables = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<BasicBlock, LBlock> _blocks = new();
    private LMetadata _subprogram;
    private LMetadata _file;
    private LBlock _allocaBlock;
    private LMetadata _location;
    private LBlock? _returnBlock;
    private LValue _returnSlot;
    private LType _returnType;
    private SemanticModel? _semanticModel;
    private ControlFlowGraph? _cfg;
    private readonly FunctionAbi _abi;

    /// <summary>A flow capture: a stack slot holding either a value or, for struct and ref captures, an address.</summary>
    private readonly record struct Capture(LValue Slot, LType Type, bool IsAddress);

    public FunctionLowering(ModuleLowering module, IMethodSymbol method, LValue function)
    {
        _module = module;
        _llvm = module.Llvm;
        _method = method;
        _function = function;
        _abi = module.AbiOf(method);
    }

    private Location MethodLocation => _method.Locations.FirstOrDefault() ?? Location.None;

    public void Lower()
    {
        // The code of the method: its body, preceded for a constructor by the struct's field initializers
        // (FunctionLowering.Construction.cs). Each part has its own control-flow graph; they run in order.
        (SyntaxNode syntax, SyntaxTree tree, IReadOnlyList<IOperation> parts) = CodeOf();
        var graphs = new List<ControlFlowGraph>(parts.Count);
        foreach (IOperation part in parts)
        {
            RejectStructuredConstructs(part);
            RejectComputedLogMessages(part);
            FindWrittenVariables(part);
            graphs.Add(CreateGraph(part));
        }

        _file = _module.FileFor(tree);
        uint line = Line(syntax.GetLocation());
        bool isProgram = IsProgram;
        LMetadata[] parameterTypes = _method.Parameters
            .Select(p => p.RefKind != RefKind.None ? _llvm.DiPointer(_module.Types.DebugType(p.Type)) : _module.Types.DebugType(p.Type)).ToArray();
        // A struct result and `this` are pointer parameters in front of the C# ones (FunctionAbi).
        LMetadata[] hiddenTypes = [.. _abi.ReturnsStruct ? [_llvm.DiPointer(_module.Types.DebugType(_method.ReturnType))] : Array.Empty<LMetadata>(),
            .. _abi.HasThis ? [_llvm.DiPointer(_module.Types.DebugType(_method.ContainingType))] : Array.Empty<LMetadata>()];
        LMetadata fnType = _llvm.DiSubroutineType(_file, [_method.ReturnsVoid || _abi.ReturnsStruct ? default : DebugTypeOfReturn(), .. hiddenTypes, .. parameterTypes]);
        _subprogram = _llvm.DiFunction(_file, _module.DebugName(_method, isProgram), _file, line, fnType, localToUnit: !isProgram);
        LlvmModule.SetSubprogram(_function, _subprogram);
        if (_abi.ReturnsStruct) _llvm.DiParameter(_subprogram, "result", (uint)_abi.ResultIndex + 1, _file, line, hiddenTypes[0]);
        if (_abi.HasThis) _llvm.DiParameter(_subprogram, "this", (uint)_abi.ThisIndex + 1, _file, line, hiddenTypes[^1]);
        foreach (IParameterSymbol p in _method.Parameters)
            _llvm.DiParameter(_subprogram, p.Name, (uint)(p.Ordinal + _abi.FirstParameter) + 1, _file, line, parameterTypes[p.Ordinal]);

        _allocaBlock = _llvm.AppendBlock(_function, "entry");
        foreach (ControlFlowGraph cfg in graphs)
            foreach (BasicBlock block in cfg.Blocks)
                if (block.IsReachable && block.Kind == BasicBlockKind.Block)
                    _blocks[block] = _llvm.AppendBlock(_function, "bb" + block.Ordinal);

        _llvm.PositionAtEnd(_allocaBlock);
        SetLocation(syntax);
        SpillParameters();
        StorePrimaryConstructorCaptures();

        for (int i = 0; i < graphs.Count; i++)
        {
            ControlFlowGraph cfg = graphs[i];
            BeginGraph(cfg, parts[i]);
            // The end of one part falls into the next (a constructor's initializers, then its body).
            _partExit = i + 1 < graphs.Count ? StartOf(graphs, i + 1) : null;
            foreach (BasicBlock block in cfg.Blocks)
            {
                if (!block.IsReachable) continue;
                switch (block.Kind)
                {
                    case BasicBlockKind.Entry:
                        break;
                    case BasicBlockKind.Block:
                        _llvm.PositionAtEnd(_blocks[block]);
                        if (IsNoOpFinallyBlock(block)) _llvm.Unreachable(); // foreach's Dispose of a span enumerator
                        else
                        {
                            EmitLifetimeStarts(block);
                            LowerBlock(block);
                        }
                        break;
                    case BasicBlockKind.Exit:
                        break;
                }
            }
        }
        _partExit = null;

        EmitReturnBlock(syntax);

        // The entry block holds the allocas; it falls into the first real block.
        _llvm.PositionAtEnd(_allocaBlock);
        SetLocation(syntax);
        if (StartOf(graphs, 0) is { } first) _llvm.Br(first);
        else EmitReturn(null);
    }

    /// <summary>Where the code of <c>graphs[index]</c> starts: its first block, or (for a part with no code)
    /// the start of the next part; null when nothing follows (the method returns).</summary>
    private LBlock? StartOf(List<ControlFlowGraph> graphs, int index)
    {
        for (; index < graphs.Count; index++)
            if (graphs[index].Blocks[0].FallThroughSuccessor!.Destination is { Kind: BasicBlockKind.Block } first)
                return _blocks[first];
        return null;
    }

    /// <summary>The part of the method's code being lowered ends by jumping here (null: by returning).</summary>
    private LBlock? _partExit;

    /// <summary>Per-graph state: flow capture ids are only unique within one graph.</summary>
    private void BeginGraph(ControlFlowGraph cfg, IOperation part)
    {
        _cfg = cfg;
        _semanticModel = part.SemanticModel ?? _semanticModel;
        _captures.Clear();
        _mapCaptures.Clear();
        _lvalueCaptures.Clear();
        _dynamicMapCaptures.Clear();
        _captureAlign.Clear();
        _propertyCaptures.Clear();
        _inMemory = null;
        FindLvalueCaptures(cfg);
    }

    /// <summary>Locals and parameters assigned anywhere after their declaration (declarator initializers are
    /// not assignments in the IOperation tree).</summary>
    private void FindWrittenVariables(IOperation body)
    {
        foreach (IOperation op in body.Descendants())
        {
            IOperation? target = op switch
            {
                ISimpleAssignmentOperation a => a.Target,
                ICompoundAssignmentOperation c => c.Target,
                IIncrementOrDecrementOperation i => i.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } arg => arg.Value,
                IAddressOfOperation addressOf => addressOf.Reference,
                IDeclarationExpressionOperation d => d.Expression,
                _ => null,
            };
            if (target is ILocalReferenceOperation l) _writtenVariables.Add(l.Local);
            else if (target is IParameterReferenceOperation p) _writtenVariables.Add(p.Parameter);
        }
    }

    /// <summary>Constructs the CFG would turn into exception regions or closures: refused up front with a
    /// message about the construct itself rather than about what it lowers to.</summary>
    private static void RejectStructuredConstructs(IOperation body)
    {
        foreach (IOperation op in body.Descendants())
        {
            if (op is IAnonymousFunctionOperation lambda && Analyzers.Rules.BpfFunctions.IsLoopCallbackLambda(lambda))
            {
                // A Bpf.Loop callback: a BPF function of its own (FunctionLowering.Loop.cs), if it is static.
                if (Analyzers.Rules.BpfFunctions.LoopLambdaRefusal(lambda) is var (rule, arguments))
                    throw new LoweringException(Diagnostic.Create(rule, lambda.Syntax.GetLocation(), arguments));
                continue;
            }
            RejectRuleConstruct(op);
            (string? what, string instead) = op switch
            {
                IForEachLoopOperation loop when !IsSpanForeach(loop) => ("foreach over this collection", "foreach works over Span<T>, ReadOnlySpan<T> and inline arrays; use a for loop with a constant bound"),
                _ => (null, ""),
            };
            if (what is not null) throw Unsupported(op.Syntax.GetLocation(), what, instead);
        }
    }

    /// <summary>True for methods that are program entry points themselves (tracepoints); context-argument
    /// programs get an entry wrapper and their body is an internal function.</summary>
    private bool IsContextParameter(IParameterSymbol parameter) =>
        parameter.Ordinal == 0 && _module.Model.Programs.Any(p => p.Kind is Frontend.ProgramKind.Syscall or Frontend.ProgramKind.TracepointRecord && SymbolEqualityComparer.Default.Equals(p.Method, _method));

    private bool IsProgram => _module.Model.Programs.Any(p => p.IsDirectEntry && SymbolEqualityComparer.Default.Equals(p.Method, _method));

    private LMetadata DebugTypeOfReturn() =>
        _method.ReturnsByRef || _method.ReturnsByRefReadonly ? _llvm.DiPointer(_module.Types.DebugType(_method.ReturnType)) : _module.Types.DebugType(_method.ReturnType);

    private void SpillParameters()
    {
        if (_abi.ReturnsStruct) _result = LlvmModule.Param(_function, _abi.ResultIndex);
        if (_abi.HasThis) _this = LlvmModule.Param(_function, _abi.ThisIndex);
        foreach (IParameterSymbol p in _method.Parameters)
        {
            LValue value = LlvmModule.Param(_function, p.Ordinal + _abi.FirstParameter);
            if (p.RefKind != RefKind.None)
            {
                LValue slot = _llvm.Alloca(_llvm.Ptr, p.Name, 8);
                _llvm.Store(value, slot, 8);
                _slots[p] = slot;
            }
            else
            {
                TypeLayout layout = _module.LayoutOf(p.Type, p.Locations.FirstOrDefault() ?? MethodLocation);
                if (layout.Category == TypeCategory.Struct)
                {
                    _slots[p] = value; // the caller's private copy is this parameter's storage
                    continue;
                }
                LValue slot = _llvm.Alloca(layout.Memory, p.Name, layout.Align);
                StoreScalar(layout, value, slot);
                _slots[p] = slot;
            }
        }
    }

    private void LowerBlock(BasicBlock block)
    {
        foreach (IOperation statement in block.Operations)
        {
            SetLocation(statement.Syntax);
            EmitStatement(statement);
        }

        ControlFlowBranch? fallThrough = block.FallThroughSuccessor;
        if (block.ConditionKind != ControlFlowConditionKind.None)
        {
            SetLocation(block.BranchValue!.Syntax);
            LValue condition = EmitCondition(block.BranchValue!);
            BasicBlock whenCondition = block.ConditionalSuccessor!.Destination!;
            BasicBlock otherwise = fallThrough!.Destination!;
            LBlock a = LeaveScopes(block.ConditionalSuccessor, TargetBlock(whenCondition, block.BranchValue.Syntax));
            LBlock b = LeaveScopes(fallThrough, TargetBlock(otherwise, block.BranchValue.Syntax));
            if (block.ConditionKind == ControlFlowConditionKind.WhenTrue) _llvm.CondBr(condition, a, b);
            else _llvm.CondBr(condition, b, a);
            return;
        }

        SyntaxNode branchSyntax = block.BranchValue?.Syntax ?? block.Operations.LastOrDefault()?.Syntax ?? _method.DeclaringSyntaxReferences[0].GetSyntax();
        switch (fallThrough?.Semantics)
        {
            case ControlFlowBranchSemantics.Regular:
                EmitLifetimeEnds(fallThrough);
                EmitBranchTo(fallThrough.Destination!, branchSyntax);
                break;
            case ControlFlowBranchSemantics.Return:
                SetLocation(branchSyntax);
                EmitReturn(block.BranchValue);
                break;
            case ControlFlowBranchSemantics.Throw
                when _semanticModel?.GetOperation(branchSyntax) is ISwitchExpressionOperation { IsExhaustive: true }:
                // The "no arm matched" throw of a switch expression the C# compiler proved exhaustive.
                _llvm.Unreachable();
                break;
            case ControlFlowBranchSemantics.Throw when branchSyntax is Microsoft.CodeAnalysis.CSharp.Syntax.SwitchExpressionSyntax:
                throw Unsupported(BpfDiagnostics.NonExhaustiveSwitch, branchSyntax.GetLocation());
            case ControlFlowBranchSemantics.Throw:
            case ControlFlowBranchSemantics.Rethrow:
                throw Unsupported(BpfDiagnostics.ExceptionInBpfCode, branchSyntax.GetLocation(), DiagnosticText.Snippet(branchSyntax));
            default:
                throw Unsupported(branchSyntax.GetLocation(), $"this control flow ({fallThrough?.Semantics})",
                    "try/catch/finally, using and lock are not supported in BPF code");
        }
    }

    /// <summary>The LLVM block a CFG edge lands on; an edge to the exit block is a return (void methods).</summary>
    private LBlock TargetBlock(BasicBlock destination, SyntaxNode at)
    {
        if (!destination.IsReachable)
        {
            // Roslyn proved the edge dead (a constant condition); LLVM drops the unreachable block.
            LBlock here = _llvm.CurrentBlock;
            LBlock dead = _llvm.AppendBlock(_function, "dead");
            _llvm.PositionAtEnd(dead);
            _llvm.Unreachable();
            _llvm.PositionAtEnd(here);
            return dead;
        }
        if (destination.Kind != BasicBlockKind.Exit) return _blocks[destination];
        LBlock current = _llvm.CurrentBlock;
        LBlock exit = _llvm.AppendBlock(_function, "exit");
        _llvm.PositionAtEnd(exit);
        EmitReturn(null);
        _llvm.PositionAtEnd(current);
        return exit;
    }

    private void EmitBranchTo(BasicBlock destination, SyntaxNode at)
    {
        if (destination.Kind == BasicBlockKind.Exit) EmitReturn(null);
        else _llvm.Br(_blocks[destination]);
    }

    /// <summary>
    /// Every C# <c>return</c> stores its value and jumps to one return block at the end, the shape clang
    /// gives; separate <c>ret</c>s make LLVM place an early exit first and the main path behind a back jump.
    /// </summary>
    private void EmitReturn(IOperation? value)
    {
        if (_partExit is { } next && value is null)
        {
            // The end of a constructor's field initializers: its body follows.
            _llvm.Br(next);
            return;
        }
        if (_abi.ReturnsStruct)
        {
            if (value is null)
            {
                _llvm.Unreachable(); // the end of a non-void method: C# makes this impossible
                return;
            }
            // A struct result is copied into the caller's temporary (FunctionAbi).
            StoreTo(_method.ReturnType, EmitValue(value), _result, value.Syntax.GetLocation());
        }
        else if (!_method.ReturnsVoid && !_abi.ReturnsStruct)
        {
            if (value is null)
            {
                // Reached the end of a non-void method: C# makes this impossible.
                _llvm.Unreachable();
                return;
            }
            bool byRef = _method.ReturnsByRef || _method.ReturnsByRefReadonly;
            LValue result = byRef ? EmitAddress(value) : EmitValue(value);
            if (_returnSlot.IsNull)
            {
                _returnType = LlvmModule.TypeOf(result);
                _returnSlot = Alloca(_returnType, "retval", ReturnAlign);
            }
            _llvm.Store(result, _returnSlot, ReturnAlign);
        }
        if (_returnBlock is not { } block)
        {
            block = _llvm.AppendBlock(_function, "return");
            _returnBlock = block;
        }
        _llvm.Br(block);
    }

    private void EmitReturnBlock(SyntaxNode method)
    {
        if (_returnBlock is not { } block) return;
        _llvm.PositionAtEnd(block);
        SetLocation(method);
        if (_method.ReturnsVoid || _abi.ReturnsStruct) _llvm.RetVoid();
        else if (!_returnSlot.IsNull) _llvm.Ret(_llvm.Load(_returnType, _returnSlot, ReturnAlign));
        else _llvm.Unreachable();
    }

    /// <summary>The return slot's alignment: its integer width in bytes (1 for i1), 8 for pointers.</summary>
    private uint ReturnAlign => LlvmModule.IsPointer(_returnType) ? 8u : (uint)Math.Max(1, LlvmModule.IntWidth(_returnType) / 8);

    private void EmitStatement(IOperation statement)
    {
        switch (statement)
        {
            case IFlowCaptureOperation capture:
                EmitCapture(capture);
                break;
            case IExpressionStatementOperation { Operation: IInvocationOperation invocation }:
                EmitInvocation(invocation, resultUsed: false);
                break;
            case IExpressionStatementOperation expression:
                EmitValue(expression.Operation);
                break;
            case IFlowAnonymousFunctionOperation:
                throw Unsupported(BpfDiagnostics.DelegateInBpfCode, statement.Syntax.GetLocation(), DiagnosticText.Snippet(statement.Syntax));
            default:
                EmitValue(statement);
                break;
        }
    }

    /// <summary>
    /// The CFG spills operands with <see cref="IFlowCaptureOperation"/> when a later operand branches. A
    /// capture that is later written through (an assignment target, a ref argument, a struct receiver)
    /// stands for the location; every other capture stands for the value at capture time. One pass over
    /// the graph tells which is which.
    /// </summary>
    private void FindLvalueCaptures(ControlFlowGraph cfg)
    {
        foreach (BasicBlock block in cfg.Blocks)
        {
            IEnumerable<IOperation> roots = block.BranchValue is null ? block.Operations : block.Operations.Append(block.BranchValue);
            foreach (IOperation op in roots.SelectMany(r => r.DescendantsAndSelf()))
                if (op is IFlowCaptureReferenceOperation reference && IsLvalueUse(reference))
                    _lvalueCaptures.Add(reference.Id);
        }
    }

    private static bool IsLvalueUse(IOperation op) => op.Parent switch
    {
        ISimpleAssignmentOperation a => a.Target == op || (a.IsRef && a.Value == op),
        ICompoundAssignmentOperation c => c.Target == op,
        IIncrementOrDecrementOperation i => i.Target == op,
        IArgumentOperation { Parameter.RefKind: not RefKind.None } => true,
        IAddressOfOperation => true,
        IFieldReferenceOperation f when f.Instance == op && op.Type is { IsValueType: true } => IsLvalueUse(f),
        IInvocationOperation inv when inv.Instance == op => true,
        IPropertyReferenceOperation p when p.Instance == op && op.Type is { IsValueType: true } => true, // a struct receiver
        _ => false,
    };

    private void EmitCapture(IFlowCaptureOperation capture)
    {
        IOperation value = capture.Value;
        if (value is IFieldReferenceOperation { Field: var mapField } && _module.MapGlobals.ContainsKey(mapField))
        {
            // The CFG spills a call's receiver when later arguments branch; a map is a constant address. A capture
            // given different maps on different paths (cond ? A : B) is a run-time value: stored below as well.
            if (_mapCaptures.TryGetValue(capture.Id, out IFieldSymbol? known) && !SymbolEqualityComparer.Default.Equals(known, mapField))
                _dynamicMapCaptures.Add(capture.Id);
            else
                _mapCaptures[capture.Id] = mapField;
            StoreMapCapture(capture.Id, mapField);
            return;
        }
        if (EmitWithOperandCopy(capture) || EmitPropertyCapture(capture)) return; // Construction.cs, Properties.cs
        TypeLayout? layout = value.Type is null ? null : _module.LayoutOf(value.Type, value.Syntax.GetLocation());
        bool byAddress = layout?.Category == TypeCategory.Struct || IsRefValued(value) || _lvalueCaptures.Contains(capture.Id);
        // Value captures hold the memory form (a bool is one byte), like locals, so reads through
        // LoadFrom and writes through StoreScalar agree.
        LType slotType = byAddress ? _llvm.Ptr : layout!.Memory;
        if (!_captures.TryGetValue(capture.Id, out Capture slot))
        {
            slot = new Capture(Alloca(slotType, "capture", byAddress ? 8u : layout!.Align), slotType, byAddress);
            _captures[capture.Id] = slot;
        }
        if (byAddress) _llvm.Store(EmitAddress(value), slot.Slot, 8);
        else
        {
            LValue captured = EmitValue(value);
            StoreScalar(layout!, captured, slot.Slot);
            NoteCapturedAlignment(capture.Id, captured);
        }
    }

    /// <summary>Operations whose result is a reference (ref-returning calls, ref locals used as refs).</summary>
    private static bool IsRefValued(IOperation op) => op switch
    {
        IInvocationOperation inv => inv.TargetMethod.ReturnsByRef || inv.TargetMethod.ReturnsByRefReadonly,
        IPropertyReferenceOperation p => p.Property.ReturnsByRef || p.Property.ReturnsByRefReadonly,
        _ => false,
    };

    private LValue Alloca(LType type, string name, uint align = 8)
    {
        // In declaration order at the end of the entry block (it gets its branch last), as clang lays out
        // locals; the stack layout changes what the verifier can prune.
        LBlock current = _llvm.CurrentBlock;
        _llvm.PositionAtEnd(_allocaBlock);
        LValue slot = _llvm.Alloca(type, name, align);
        _llvm.PositionAtEnd(current);
        return slot;
    }

    /// <summary>Stack slots of structs are 8-byte aligned (like clang's locals of that size), so copies and
    /// zeroing become 64-bit moves instead of byte-by-byte ones.</summary>
    private static uint StackAlign(TypeLayout layout) => layout.Category == TypeCategory.Struct ? Math.Max(layout.Align, 8u) : layout.Align;

    private LValue SlotOf(ISymbol symbol, ITypeSymbol type, bool isRef, Location at)
    {
        if (_slots.TryGetValue(symbol, out LValue slot)) return slot;
        if (isRef)
            slot = Alloca(_llvm.Ptr, symbol.Name);
        else
        {
            TypeLayout layout = _module.LayoutOf(type, at);
            slot = Alloca(layout.Memory, symbol.Name, StackAlign(layout));
        }
        _slots[symbol] = slot;
        return slot;
    }

    private void SetLocation(SyntaxNode syntax)
    {
        FileLinePositionSpan span = syntax.GetLocation().GetLineSpan();
        _location = _llvm.DiLocation((uint)span.StartLinePosition.Line + 1, (uint)span.StartLinePosition.Character + 1, _subprogram);
        _llvm.SetLocation(_location);
    }

    private static uint Line(Location location) => (uint)location.GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>
    /// Emits <c>if (failure) __csbpf_unproven(site)</c>. LLVM removes the call when it proves the failure
    /// impossible; a surviving call becomes a diagnostic (ModuleLowering.ReportUnprovenGuards).
    /// </summary>
    private void EmitGuard(LValue failure, Location at, string what, string fix, DiagnosticDescriptor? rule = null)
    {
        EmitGuard(failure, at, rule ?? BpfDiagnostics.UnsupportedConstruct, what, fix);
    }

    private static LoweringException Unsupported(Location at, string what, string instead = "it has no BPF equivalent") =>
        new(Diagnostic.Create(BpfDiagnostics.UnsupportedConstruct, at, what, instead));
}
