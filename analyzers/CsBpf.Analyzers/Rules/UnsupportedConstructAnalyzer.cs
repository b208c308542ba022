using System;
using System.Collections.Immutable;
using System.Threading;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// Constructs BPF code cannot have, each with its own ID: managed allocation (CSBPF0001), strings outside
    /// format helpers (0002), exceptions (0003), virtual and interface calls (0004), delegates, lambdas and local
    /// functions (0005), LINQ (0006), foreach over enumerables (0007), floating point (0009), checked arithmetic
    /// (0011), lock and using (0012), switch expressions that do not cover every input (0013), calls to methods
    /// that are not BPF code (CSBPF1003), generic members (CSBPF1030), instance members of classes (CSBPF1031), and
    /// the other constructs the compiler refuses (CSBPF1001/1002).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnsupportedConstructAnalyzer : BpfCodeAnalyzer
    {
        private static readonly ImmutableArray<DiagnosticDescriptor> s_supported = ImmutableArray.Create(
            BpfDiagnostics.ManagedAllocation, BpfDiagnostics.StringInBpfCode, BpfDiagnostics.ExceptionInBpfCode,
            BpfDiagnostics.VirtualCall, BpfDiagnostics.DelegateInBpfCode, BpfDiagnostics.LinqInBpfCode,
            BpfDiagnostics.ForEachOverEnumerable, BpfDiagnostics.FloatingPoint, BpfDiagnostics.CheckedArithmetic,
            BpfDiagnostics.LockOrUsing, BpfDiagnostics.NonExhaustiveSwitch, BpfDiagnostics.UnsupportedConstruct,
            BpfDiagnostics.UnsupportedType, BpfDiagnostics.UnsupportedCall, BpfDiagnostics.GenericMemberCall, BpfDiagnostics.ClassInstanceMember);

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => s_supported;

        internal override void AnalyzeClass(BpfClassCode code, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            foreach (BpfMethodCode method in code.Methods)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CheckSignature(method.Method, report);
                new Walker(code, report).Visit(method.Body);
            }
        }

        private static void CheckSignature(IMethodSymbol method, Action<Diagnostic> report)
        {
            Location at = method.Locations.IsEmpty ? Location.None : method.Locations[0];
            foreach (IParameterSymbol p in method.Parameters)
                if (IsFloatingPoint(p.Type))
                    report(Diagnostic.Create(BpfDiagnostics.FloatingPoint, p.Locations.IsEmpty ? at : p.Locations[0], p.Name, p.Type.ToDisplayString()));
            if (method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly) return;
            // Struct results are returned through a hidden pointer to the caller's temporary (the compiler's FunctionAbi).
            if (IsFloatingPoint(method.ReturnType))
                report(Diagnostic.Create(BpfDiagnostics.FloatingPoint, at, method.Name, method.ReturnType.ToDisplayString()));
        }

        internal static bool IsFloatingPoint(ITypeSymbol? type) =>
            type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;

        private sealed class Walker
        {
            private readonly BpfClassCode _code;
            private readonly BpfCodeSymbols _symbols;
            private readonly Action<Diagnostic> _report;

            public Walker(BpfClassCode code, Action<Diagnostic> report)
            {
                _code = code;
                _symbols = code.Symbols;
                _report = report;
            }

            private bool _dryRun;
            private bool _found;

            private void Report(DiagnosticDescriptor descriptor, IOperation op, params object[] args)
            {
                _found = true;
                if (!_dryRun) _report(Diagnostic.Create(descriptor, op.Syntax.GetLocation(), args));
            }

            /// <summary>True when a member access is itself refused: calls on its result are not reported again.</summary>
            private bool IsRefusedMember(IOperation? op)
            {
                while (op is IConversionOperation { IsImplicit: true } c) op = c.Operand;
                if (op is not (IInvocationOperation or IPropertyReferenceOperation)) return false;
                bool dry = _dryRun, found = _found;
                _dryRun = true;
                _found = false;
                try
                {
                    if (op is IInvocationOperation invocation) CheckInvocation(invocation);
                    else CheckProperty((IPropertyReferenceOperation)op);
                    return _found;
                }
                finally
                {
                    _dryRun = dry;
                    _found = found;
                }
            }

            private static string Text(IOperation op) => DiagnosticText.Snippet(op.Syntax);

            public void Visit(IOperation op)
            {
                if (Check(op)) return;
                foreach (IOperation child in op.ChildOperations) Visit(child);
            }

            /// <summary>Checks one operation; true when its children must not be visited (already reported, or a
            /// format string).</summary>
            private bool Check(IOperation op)
            {
                // Code with C# errors: the C# compiler reports it (the BPF compiler as CSBPF1007).
                if (op is IInvalidOperation || op.Type?.TypeKind == TypeKind.Error) return true;
                // Strings and floating point: reported once at the outermost expression of that type.
                if (op.Type?.SpecialType == SpecialType.System_String && IsValue(op) && op is not IInvocationOperation)
                {
                    Report(BpfDiagnostics.StringInBpfCode, op, Text(op));
                    return true;
                }
                if (IsFloatingPoint(op.Type) && IsValue(op) && !IsFloatingPoint(op.Parent?.Type) && !InitializesFloatingLocal(op))
                {
                    Report(BpfDiagnostics.FloatingPoint, op, Text(op), op.Type!.ToDisplayString());
                    return true;
                }

                switch (op)
                {
                    case IVariableDeclaratorOperation declarator when IsFloatingPoint(declarator.Symbol.Type):
                        Report(BpfDiagnostics.FloatingPoint, op, declarator.Symbol.Name, declarator.Symbol.Type.ToDisplayString());
                        return true;
                    case IObjectCreationOperation { Constructor: { } constructor } when op.Type is { TypeKind: TypeKind.Struct }:
                        // new S(...): the constructor is a BPF function (or a [FieldwiseConstructor] of the library).
                        if (!constructor.IsImplicitlyDeclared && !IsFieldwiseConstructor(constructor)) CheckFunction(constructor, op);
                        return false;
                    case IObjectCreationOperation when op.Type is { IsReferenceType: true }:
                    case IArrayCreationOperation:
                    case IAnonymousObjectCreationOperation:
                    case ICollectionExpressionOperation when op.Type is { IsReferenceType: true }:
                        Report(BpfDiagnostics.ManagedAllocation, op, Text(op));
                        return true;
                    case IDelegateCreationOperation delegateCreation when IsLoopCallback(delegateCreation):
                        return true; // Bpf.Loop(count, Callback, ref state): a BPF function pointer for bpf_loop
                    case IDelegateCreationOperation { Target: IAnonymousFunctionOperation loopLambda } when BpfFunctions.IsLoopCallbackLambda(loopLambda):
                        // Bpf.Loop(count, static (uint i, ref T s) => ..., ref state): the lambda is a BPF function.
                        if (BpfFunctions.LoopLambdaRefusal(loopLambda) is var (lambdaRule, lambdaArguments)) Report(lambdaRule, loopLambda, lambdaArguments);
                        else Visit(loopLambda.Body);
                        return true;
                    case IDelegateCreationOperation delegateCreation:
                        IOperation target = delegateCreation.Target is IAnonymousFunctionOperation lambda ? lambda : op;
                        Report(BpfDiagnostics.DelegateInBpfCode, target, Text(target));
                        return true;
                    case IAnonymousFunctionOperation:
                    case IMethodReferenceOperation:
                        Report(BpfDiagnostics.DelegateInBpfCode, op, Text(op));
                        return true;
                    case ILocalFunctionOperation localFunction:
                        _report(Diagnostic.Create(BpfDiagnostics.DelegateInBpfCode, localFunction.Symbol.Locations[0], localFunction.Symbol.Name));
                        return true;
                    case IFunctionPointerInvocationOperation:
                        Report(BpfDiagnostics.DelegateInBpfCode, op, Text(op));
                        return false;
                    case ITryOperation:
                        _report(Diagnostic.Create(BpfDiagnostics.ExceptionInBpfCode,
                            op.Syntax is TryStatementSyntax t ? t.TryKeyword.GetLocation() : op.Syntax.GetLocation(), "try"));
                        return true;
                    case IThrowOperation:
                        Report(BpfDiagnostics.ExceptionInBpfCode, op, Text(op));
                        return true;
                    case ILockOperation:
                        _report(Diagnostic.Create(BpfDiagnostics.LockOrUsing, KeywordLocation(op), "lock",
                            "use Interlocked on a map value or global instead"));
                        return false;
                    case IUsingOperation:
                    case IUsingDeclarationOperation:
                        _report(Diagnostic.Create(BpfDiagnostics.LockOrUsing, KeywordLocation(op), "using",
                            "BPF code has no disposable objects; call the cleanup method directly"));
                        return false;
                    case ITranslatedQueryOperation:
                        Report(BpfDiagnostics.LinqInBpfCode, op, Text(op));
                        return true;
                    case IForEachLoopOperation forEach when !IsSpanLike(Unconverted(forEach.Collection).Type):
                        {
                            IOperation collection = Unconverted(forEach.Collection);
                            Location at = forEach.Syntax is ForEachStatementSyntax s ? s.Expression.GetLocation() : op.Syntax.GetLocation();
                            _report(Diagnostic.Create(BpfDiagnostics.ForEachOverEnumerable, at, collection.Type?.ToDisplayString() ?? Text(collection)));
                            Visit(forEach.Body);
                            return true;
                        }
                    case ISwitchExpressionOperation { IsExhaustive: false }:
                        Report(BpfDiagnostics.NonExhaustiveSwitch, op);
                        return false;
                    case IInvocationOperation invocation:
                        return CheckInvocation(invocation);
                    case IDeconstructionAssignmentOperation { Syntax: AssignmentExpressionSyntax assignment } deconstruction
                        when deconstruction.SemanticModel is { } model:
                        // `var (a, b) = value` calls value.Deconstruct(out a, out b): a BPF function like any call.
                        CheckDeconstruct(model.GetDeconstructionInfo(assignment), op);
                        return false;
                    case IPropertyReferenceOperation property:
                        CheckProperty(property);
                        return false;
                    case IFieldReferenceOperation { Field: { IsStatic: true, IsConst: false } field }
                        when !SymbolEqualityComparer.Default.Equals(field.ContainingType, _code.Class):
                        Report(BpfDiagnostics.UnsupportedConstruct, op, $"static field '{field.Name}' of '{field.ContainingType.Name}'",
                            "BPF code can use the static fields (maps and globals) of its own [BpfProgram] class only");
                        return true;
                    // User-defined operators are calls of their BPF functions; pointer arithmetic is address arithmetic.
                    case IBinaryOperation binary:
                        if (binary.OperatorMethod is not null)
                            CheckFunction(binary.OperatorMethod, op);
                        else if (binary.IsChecked && binary.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply)
                            Report(BpfDiagnostics.CheckedArithmetic, op, Text(op));
                        return false;
                    case IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } when !IsIndexOperand(op):
                        Report(BpfDiagnostics.UnsupportedConstruct, op, $"the index from the end '{Text(op)}' outside an indexer",
                            "write it in place, e.g. s[^k]");
                        return true;
                    case IUnaryOperation unary:
                        if (unary.OperatorMethod is not null)
                            CheckFunction(unary.OperatorMethod, op);
                        else if (unary.IsChecked && unary.OperatorKind == UnaryOperatorKind.Minus)
                            Report(BpfDiagnostics.CheckedArithmetic, op, Text(op));
                        return false;
                    case ICompoundAssignmentOperation { Target.Type: IPointerTypeSymbol, IsChecked: true }:
                        // FunctionLowering.Pointers: p += n in a checked context.
                        Report(BpfDiagnostics.UnsupportedConstruct, op, "checked pointer arithmetic", "BPF has no overflow traps; use unchecked pointer arithmetic");
                        return false;
                    case ICompoundAssignmentOperation compound:
                        if (compound.OperatorMethod is not null)
                            CheckFunction(compound.OperatorMethod, op);
                        else if (compound.IsChecked)
                            Report(BpfDiagnostics.CheckedArithmetic, op, Text(op));
                        return false;
                    case IIncrementOrDecrementOperation { OperatorMethod: { } incrementOperator }:
                        CheckFunction(incrementOperator, op);
                        return false;
                    case IIncrementOrDecrementOperation { IsChecked: true }:
                        Report(BpfDiagnostics.CheckedArithmetic, op, Text(op));
                        return false;
                    case IConversionOperation conversion:
                        return CheckConversion(conversion);
                    case IRangeOperation when !IsIndexOperand(op):
                        Report(BpfDiagnostics.UnsupportedConstruct, op, $"the range '{Text(op)}' outside an indexer",
                            "write it in place, e.g. s[a..b] or s.Slice(start, length)");
                        return true;
                    case { Kind: OperationKind.None } when op.Syntax is StackAllocArrayCreationExpressionSyntax:
                        return CheckStackAlloc(op);
                    default:
                        return false;
                }
            }

            private bool CheckConversion(IConversionOperation conversion)
            {
                ITypeSymbol? to = conversion.Type, from = conversion.Operand.Type;
                if (from is null || to is null || from.TypeKind == TypeKind.Error || to.TypeKind == TypeKind.Error || conversion.IsImplicit && conversion.Conversion.IsIdentity) return false;
                if (_symbols.IsSpan(from) && _symbols.IsSpan(to)) return false;
                // An inline array as a span over its own storage (FunctionLowering.InlineArrays).
                if (_symbols.IsSpan(to) && _symbols.InlineArrayLength(from) is not null) return false;
                // int -> System.Index in an index or range operand (s[^k], s[a..b]): the compiler reads the int.
                if (conversion.IsImplicit && IsSystemType(to, "Index") && from.SpecialType == SpecialType.System_Int32 && IsIndexOperand(conversion)) return false;
                if (conversion.OperatorMethod is not null)
                {
                    CheckFunction(conversion.OperatorMethod, conversion);
                    return false;
                }
                if (from.IsValueType && to.IsReferenceType)
                {
                    Report(BpfDiagnostics.ManagedAllocation, conversion, Text(conversion));
                    return true;
                }
                if (conversion.Conversion.IsReference || conversion.Conversion.IsNullable || from.IsReferenceType || to.IsReferenceType)
                {
                    Report(BpfDiagnostics.UnsupportedConstruct, conversion, $"the conversion from '{from}' to '{to}'", "boxing, reference and nullable conversions need the managed heap");
                    return true;
                }
                if (conversion.IsChecked && conversion.Conversion.IsNumeric)
                    Report(BpfDiagnostics.CheckedArithmetic, conversion, Text(conversion));
                return false;
            }

            private bool CheckInvocation(IInvocationOperation invocation)
            {
                IMethodSymbol target = invocation.TargetMethod;
                INamedTypeSymbol? containing = target.ContainingType;
                if (target.MethodKind == MethodKind.LocalFunction) return false; // reported at its declaration
                if (IsRefusedMember(invocation.Instance)) return false;
                if (containing?.TypeKind == TypeKind.Delegate)
                {
                    Report(BpfDiagnostics.DelegateInBpfCode, invocation, Text(invocation));
                    return false;
                }
                // Packet access and byte-order conversions (the network contexts, NetworkOrder): lowered in place.
                if (_symbols.PacketOperationOf(target) >= 0 || _symbols.IsByteSwap(target)) return false;
                bool log = SymbolEqualityComparer.Default.Equals(containing, _symbols.BpfLog);
                if (_symbols.HelperAttribute(target) is not null || log)
                {
                    // BpfLog's message, like a format helper's, is split into a format at compile time.
                    if (!(log || _symbols.IsFormatHelper(target)) || _dryRun) return false;
                    // The format argument is a compile-time string: skip it, check the values it interpolates.
                    foreach (IArgumentOperation argument in invocation.Arguments)
                    {
                        if (argument.Parameter?.Type.SpecialType != SpecialType.System_String) Visit(argument);
                        else if (argument.Value is IInterpolatedStringOperation interpolated)
                            foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                                if (part is IInterpolationOperation hole) Visit(hole.Expression);
                    }
                    return true;
                }
                // Members of CsBpf.Bpf are helpers or compiler intrinsics (e.g. Bpf.AddressOf): the compiler decides.
                if (SymbolEqualityComparer.Default.Equals(containing, _symbols.Bpf)) return false;
                if (_symbols.MapOperationOf(target) >= 0)
                {
                    // On a [Map] field of this class, or a map passed around as a value (a map pointer).
                    if (!(invocation.Instance is IFieldReferenceOperation { Field: var field }
                          && SymbolEqualityComparer.Default.Equals(field.ContainingType, _code.Class)
                          && BpfCodeSymbols.HasAttribute(field, _symbols.MapAttribute))
                        && !(invocation.Instance is { Type: var mapType } && _symbols.IsMapType(mapType) && invocation.Instance is not IFieldReferenceOperation))
                        Report(BpfDiagnostics.UnsupportedConstruct, invocation, "a map method called on something other than a [Map] field of this class",
                            "call it directly on the map field, e.g. Counts.Update(key, value)");
                    return false;
                }
                if (SymbolEqualityComparer.Default.Equals(containing, _symbols.Unsafe))
                {
                    CheckUnsafe(invocation);
                    return false;
                }
                // Span<T>.Slice (FunctionLowering.SpanSlices).
                if (_symbols.IsSpan(containing) && !target.IsStatic && LanguageSupport.SpanMethods.Contains(target.Name)) return false;
                if (SymbolEqualityComparer.Default.Equals(containing, _symbols.Interlocked))
                {
                    if (target.Name is not ("Increment" or "Decrement" or "Add" or "Exchange" or "And" or "Or") || target.Parameters.Length == 0)
                        Report(BpfDiagnostics.UnsupportedCall, invocation, target.ToDisplayString());
                    else if (target.Parameters[0].Type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64))
                        Report(BpfDiagnostics.UnsupportedConstruct, invocation, $"Interlocked on '{target.Parameters[0].Type}'", "BPF atomics work on 32- and 64-bit integers");
                    return false;
                }
                if (containing is not null && (SymbolEqualityComparer.Default.Equals(containing, _symbols.Enumerable) || SymbolEqualityComparer.Default.Equals(containing, _symbols.Queryable)))
                {
                    Report(BpfDiagnostics.LinqInBpfCode, invocation, Text(invocation));
                    return true;
                }
                if (target.IsVirtual || target.IsAbstract || target.IsOverride || containing?.TypeKind == TypeKind.Interface)
                {
                    Report(BpfDiagnostics.VirtualCall, invocation, Text(invocation));
                    return false;
                }
                // Any method whose source is in the project is BPF code (BpfFunctions says which can be BPF functions).
                CheckFunction(target, invocation);
                return false;
            }

            private void CheckDeconstruct(DeconstructionInfo info, IOperation at)
            {
                if (info.Method is { } method) CheckFunction(method, at);
                foreach (DeconstructionInfo nested in info.Nested) CheckDeconstruct(nested, at);
            }

            /// <summary>Reports a call of <paramref name="method"/> that cannot be a BPF-to-BPF call (the compiler
            /// refuses it with the same rule and message).</summary>
            private void CheckFunction(IMethodSymbol method, IOperation at)
            {
                if (BpfFunctions.Refusal(method, _symbols.Compilation, Text(at)) is var (rule, arguments))
                    Report(rule, at, arguments);
            }

            private static bool IsFieldwiseConstructor(IMethodSymbol constructor)
            {
                foreach (AttributeData a in constructor.GetAttributes())
                    if (a.AttributeClass?.ToDisplayString() == "CsBpf.FieldwiseConstructorAttribute") return true;
                return false;
            }

            /// <summary>The callback of <c>Bpf.Loop(count, Callback, ref state)</c>: a static method passed by name.</summary>
            private bool IsLoopCallback(IDelegateCreationOperation creation)
            {
                IOperation? parent = creation.Parent;
                while (parent is IConversionOperation { IsImplicit: true }) parent = parent.Parent;
                return parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "Loop" } loop } }
                    && SymbolEqualityComparer.Default.Equals(loop.ContainingType, _symbols.Bpf)
                    && creation.Target is IMethodReferenceOperation { Method: { IsStatic: true } callback }
                    && BpfFunctions.HasSourceIn(callback, _symbols.Compilation);
            }

            private void CheckProperty(IPropertyReferenceOperation property)
            {
                IPropertySymbol p = property.Property;
                ITypeSymbol? owner = property.Instance?.Type;
                if (IsRefusedMember(property.Instance)) return;
                if (_symbols.IsSpan(owner))
                {
                    if (!(p.Name == "Length" && !p.IsIndexer) && !(p.IsIndexer && property.Arguments.Length == 1 && property.Arguments[0].Value.Type?.SpecialType == SpecialType.System_Int32))
                        Report(BpfDiagnostics.UnsupportedConstruct, property, $"Span member '{p.Name}'", "use the int indexer and Length");
                    return;
                }
                if (_symbols.IsContext(owner) && (_symbols.IsContextField(p) || _symbols.PacketOperationOf(p) >= 0)) return;
                if ((p.GetMethod ?? p.SetMethod) is { } accessor && BpfFunctions.HasSourceIn(accessor, _symbols.Compilation))
                {
                    // A property or indexer of the project: its accessors are BPF functions (or its backing field).
                    CheckFunction(accessor, property);
                    return;
                }
                if (p.IsVirtual || p.IsAbstract || p.IsOverride || p.ContainingType?.TypeKind == TypeKind.Interface)
                    Report(BpfDiagnostics.VirtualCall, property, Text(property));
                else
                    Report(BpfDiagnostics.UnsupportedCall, property, p.ToDisplayString());
            }

            /// <summary>The Unsafe members the compiler lowers (LanguageSupport.UnsafeMembers), with its checks.</summary>
            private void CheckUnsafe(IInvocationOperation invocation)
            {
                IMethodSymbol target = invocation.TargetMethod;
                if (!LanguageSupport.UnsafeMembers.Contains(target.Name)
                    || target.Name == "As" && (target.Parameters.Length != 1 || target.Parameters[0].RefKind == RefKind.None))
                {
                    Report(BpfDiagnostics.UnsupportedCall, invocation, target.ToDisplayString());
                    return;
                }
                switch (target.Name)
                {
                    case "CopyBlock" or "CopyBlockUnaligned" or "InitBlock" or "InitBlockUnaligned":
                        if (ArgumentValue(invocation, 2) is { } count && !count.ConstantValue.HasValue)
                            Report(BpfDiagnostics.UnsupportedConstruct, invocation, $"Unsafe.{target.Name} with a byte count that is not a constant",
                                "BPF has no memcpy/memset loops; use a constant size");
                        else if (target.Name.StartsWith("Init", StringComparison.Ordinal) && ArgumentValue(invocation, 1) is { } fill && !fill.ConstantValue.HasValue)
                            Report(BpfDiagnostics.UnsupportedConstruct, invocation, $"Unsafe.{target.Name} with a fill value that is not a constant", "use a constant byte");
                        break;
                    case "BitCast" when target.TypeArguments.Length == 2:
                        if (TypeSizes.Of(target.TypeArguments[0], _symbols) is var (fromSize, _) && TypeSizes.Of(target.TypeArguments[1], _symbols) is var (toSize, _)
                            && fromSize != toSize)
                            Report(BpfDiagnostics.UnsupportedConstruct, invocation, "Unsafe.BitCast between types of different sizes", "it has no BPF equivalent");
                        break;
                }
            }

            private static IOperation? ArgumentValue(IInvocationOperation invocation, int ordinal)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                    if (argument.Parameter?.Ordinal == ordinal) return argument.Value;
                return null;
            }

            /// <summary>stackalloc: a positive constant size, no initializer (FunctionLowering.Spans).</summary>
            private bool CheckStackAlloc(IOperation op)
            {
                IOperation? size = null;
                foreach (IOperation child in op.ChildOperations)
                {
                    if (size is null) size = child;
                    else
                    {
                        Report(BpfDiagnostics.UnsupportedConstruct, op, "a stackalloc initializer", "assign the elements one by one");
                        return true;
                    }
                }
                if (size?.ConstantValue is not { HasValue: true, Value: int count } || count <= 0)
                {
                    Report(BpfDiagnostics.UnsupportedConstruct, op, "stackalloc with a size that is not a positive constant",
                        "BPF stack frames have a fixed size (512 bytes): use a constant");
                    return true;
                }
                return false;
            }

            /// <summary>True for an index or range operand written in place: the argument of an indexer (spans,
            /// inline arrays) or a side of a range there.</summary>
            private static bool IsIndexOperand(IOperation op)
            {
                while (op.Parent is IConversionOperation { IsImplicit: true } c) op = c;
                if (op.Parent is IRangeOperation range)
                {
                    op = range;
                    while (op.Parent is IConversionOperation { IsImplicit: true } c) op = c;
                }
                return op.Parent is IImplicitIndexerReferenceOperation indexer && indexer.Argument == op
                    || op.Parent is IInlineArrayAccessOperation access && access.Argument == op;
            }

            private static bool IsSystemType(ITypeSymbol type, string name) =>
                type.Name == name && type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };

            private bool IsSpanLike(ITypeSymbol? type) => _symbols.IsSpan(type) || _symbols.InlineArrayLength(type) is not null;

            private static IOperation Unconverted(IOperation op)
            {
                while (op is IConversionOperation { IsImplicit: true } c) op = c.Operand;
                return op;
            }

            /// <summary>The operation produces a value (an expression), rather than declaring or branching.</summary>
            private static bool IsValue(IOperation op) =>
                op is not (IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation
                    or IVariableInitializerOperation or IArgumentOperation or IBlockOperation or IExpressionStatementOperation
                    or IReturnOperation or IInterpolationOperation or IInterpolatedStringContentOperation)
                && op.Syntax is ExpressionSyntax;

            private static bool InitializesFloatingLocal(IOperation op) =>
                op.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation d } && IsFloatingPoint(d.Symbol.Type);

            private static Location KeywordLocation(IOperation op) => op.Syntax switch
            {
                LockStatementSyntax l => l.LockKeyword.GetLocation(),
                UsingStatementSyntax u => u.UsingKeyword.GetLocation(),
                LocalDeclarationStatementSyntax d when d.UsingKeyword.Span.Length > 0 => d.UsingKeyword.GetLocation(),
                _ => op.Syntax.GetLocation(),
            };
        }
    }
}
