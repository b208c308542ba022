using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Struct construction, with C#'s meaning:
// - `new S(args)` is a fresh zeroed temporary the constructor runs on (`this` = its address), then copied
//   where it goes; fields the constructor does not assign stay zero (C# 11's auto-default), and `new S()` /
//   `default` without a declared parameterless constructor is all zeros.
// - A constructor that does not chain to `this(...)` first runs the struct's field and auto-property
//   initializers in declaration order (each its own control-flow graph, lowered in front of the body); one
//   that chains runs none.
// - A primary constructor `struct S(int a)` stores each parameter a member uses in the hidden field the C#
//   compiler declares for it (part of the layout, as on the CLR), then runs the initializers; members read
//   and write that field where they name the parameter.
// - Object initializers `new S(...) { X = 1 }` and `with` expressions: Roslyn's control-flow graph captures
//   the new value and assigns its members; a `with` works on a copy of its operand.
internal sealed partial class FunctionLowering
{
    /// <summary>The declaration of the method and the parts of its code, in execution order.</summary>
    private (SyntaxNode Syntax, SyntaxTree Tree, IReadOnlyList<IOperation> Parts) CodeOf()
    {
        IMethodSymbol definition = _method.PartialImplementationPart ?? _method;
        SyntaxReference syntaxRef = definition.DeclaringSyntaxReferences[0];
        SyntaxNode syntax = syntaxRef.GetSyntax();
        SemanticModel model = _module.Compilation.GetSemanticModel(syntaxRef.SyntaxTree);
        _semanticModel = model;
        if (_method.MethodKind == MethodKind.AnonymousFunction)
        {
            // A static lambda passed to Bpf.Loop: its graph is the enclosing method's (FunctionLowering.Loop.cs).
            var (lambda, graph) = _module.LambdaGraph(_method, MethodLocation);
            _prebuiltGraphs[lambda.Body] = graph;
            return (syntax, syntaxRef.SyntaxTree, [lambda.Body]);
        }
        if (IsPrimaryConstructor(_method))
        {
            if (_method.ContainingType.IsRecord)
                throw Unsupported(MethodLocation, $"the primary constructor of the record struct '{_method.ContainingType.Name}'",
                    "the C# compiler generates its body; declare a plain struct with a constructor");
            return (syntax, syntaxRef.SyntaxTree, FieldInitializers());
        }
        switch (model.GetOperation(syntax))
        {
            case IMethodBodyOperation body:
                return (syntax, syntaxRef.SyntaxTree, [body]);
            case IConstructorBodyOperation constructor:
                // Field initializers run in constructors that do not chain to this(...).
                return (syntax, syntaxRef.SyntaxTree, constructor.Initializer is null ? [.. FieldInitializers(), constructor] : [constructor]);
            case IBlockOperation { Parent: null } arrowBody:
                return (syntax, syntaxRef.SyntaxTree, [arrowBody]); // an expression-bodied property or indexer: `=> expr`
            default:
                throw Unsupported(MethodLocation, "a method without a block or expression body");
        }
    }

    /// <summary>Graphs that come from elsewhere (a lambda's, from its enclosing method's graph).</summary>
    private readonly Dictionary<IOperation, ControlFlowGraph> _prebuiltGraphs = new();

    private ControlFlowGraph CreateGraph(IOperation part) => _prebuiltGraphs.TryGetValue(part, out ControlFlowGraph? prebuilt) ? prebuilt : part switch
    {
        IMethodBodyOperation body => ControlFlowGraph.Create(body),
        IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor),
        IFieldInitializerOperation field => ControlFlowGraph.Create(field),
        IPropertyInitializerOperation property => ControlFlowGraph.Create(property),
        IBlockOperation block => ControlFlowGraph.Create(block),
        _ => throw new InvalidOperationException("no control-flow graph for " + part.Kind),
    };

    private static bool IsPrimaryConstructor(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor && !method.IsStatic
        && method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is TypeDeclarationSyntax;

    /// <summary>The instance field and auto-property initializers of the struct, in declaration order.</summary>
    private List<IOperation> FieldInitializers()
    {
        var found = new List<(int Tree, int Position, IOperation Initializer)>();
        List<SyntaxTree> trees = _module.Compilation.SyntaxTrees.ToList();
        foreach (ISymbol member in _method.ContainingType.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared) continue;
            EqualsValueClauseSyntax? initializer = member switch
            {
                IFieldSymbol => (member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax)?.Initializer,
                IPropertySymbol => (member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as PropertyDeclarationSyntax)?.Initializer,
                _ => null,
            };
            if (initializer is null) continue;
            IOperation? operation = _module.Compilation.GetSemanticModel(initializer.SyntaxTree).GetOperation(initializer);
            if (operation is IFieldInitializerOperation or IPropertyInitializerOperation)
                found.Add((trees.IndexOf(initializer.SyntaxTree), initializer.SpanStart, operation));
        }
        return found.OrderBy(f => f.Tree).ThenBy(f => f.Position).Select(f => f.Initializer).ToList();
    }

    /// <summary>A primary constructor first stores the parameters that members use in their hidden fields
    /// (<c>&lt;name&gt;P</c>, declared by the C# compiler).</summary>
    private void StorePrimaryConstructorCaptures()
    {
        if (!IsPrimaryConstructor(_method)) return;
        foreach (IParameterSymbol p in _method.Parameters)
        {
            if (CapturedParameterField(p) is not { } field) continue;
            Location at = p.Locations.FirstOrDefault() ?? MethodLocation;
            TypeLayout owner = _module.LayoutOf(_method.ContainingType, at);
            LValue destination = FieldAddress(owner, _this, field, owner.Fields![field.Name], at);
            StoreTo(p.Type, LoadFrom(p.Type, _slots[p], at), destination, at);
        }
    }

    /// <summary>The hidden field of a primary constructor parameter that members use, or null.</summary>
    private static IFieldSymbol? CapturedParameterField(IParameterSymbol parameter) =>
        parameter.ContainingSymbol is IMethodSymbol constructor && IsPrimaryConstructor(constructor)
            ? constructor.ContainingType.GetMembers($"<{parameter.Name}>P").OfType<IFieldSymbol>().FirstOrDefault(f => !f.IsStatic)
            : null;

    /// <summary>A primary constructor parameter named in a member of its struct: the hidden field of <c>this</c>.</summary>
    private LValue PrimaryConstructorParameterAddress(IParameterReferenceOperation reference)
    {
        Location at = reference.Syntax.GetLocation();
        if (CapturedParameterField(reference.Parameter) is not { } field || !_abi.HasThis)
            throw Unsupported(at, $"the parameter '{reference.Parameter.Name}' here");
        TypeLayout owner = _module.LayoutOf(field.ContainingType, at);
        return FieldAddress(owner, _this, field, owner.Fields![field.Name], at);
    }

    /// <summary><c>new S(...)</c> of a struct: a zeroed temporary the constructor runs on.</summary>
    private LValue EmitObjectCreation(IObjectCreationOperation creation)
    {
        Location at = creation.Syntax.GetLocation();
        ITypeSymbol type = creation.Type!;
        if (creation.Initializer is not null)
            throw Unsupported(at, "this object initializer"); // the control-flow graph lowers initializers to assignments
        TypeLayout layout = _module.LayoutOf(type, at);
        IMethodSymbol? constructor = creation.Constructor;
        LValue[] args = constructor is null || constructor.IsImplicitlyDeclared ? [] : EmitConstructorArguments(constructor, creation, at);
        LValue temp = Alloca(layout.Memory, "new", StackAlign(layout));
        _llvm.MemSet(temp, 0, layout.Size, StackAlign(layout));
        if (constructor is null || (constructor.IsImplicitlyDeclared && constructor.Parameters.IsEmpty)) return temp;
        if (IsFieldwiseConstructor(constructor))
        {
            StoreFieldwise(constructor, temp, args, at);
            return temp;
        }
        CallFunction(constructor, temp, args, creation.Syntax, at);
        return temp;
    }

    private LValue[] EmitConstructorArguments(IMethodSymbol constructor, IObjectCreationOperation creation, Location at) =>
        IsFieldwiseConstructor(constructor) || !constructor.DeclaringSyntaxReferences.IsEmpty
            ? EmitArguments(constructor, creation.Arguments, at)
            : throw new LoweringException(Diagnostic.Create(Analyzers.Diagnostics.BpfDiagnostics.UnsupportedCall, at, constructor.ToDisplayString()));

    /// <summary>
    /// A library constructor marked <c>[FieldwiseConstructor]</c> (e.g. <c>LpmKey&lt;T&gt;(prefixLength, data)</c>)
    /// assigns its parameters to the instance fields in declaration order and does nothing else; it has no source
    /// in the project, so the attribute is its definition here.
    /// </summary>
    private static bool IsFieldwiseConstructor(IMethodSymbol constructor) =>
        constructor.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "CsBpf.FieldwiseConstructorAttribute");

    private void StoreFieldwise(IMethodSymbol constructor, LValue instance, LValue[] args, Location at)
    {
        TypeLayout owner = _module.LayoutOf(constructor.ContainingType, at);
        IFieldSymbol[] fields = constructor.ContainingType.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToArray();
        if (fields.Length != constructor.Parameters.Length || owner.Fields is null
            || fields.Where((f, i) => !SymbolEqualityComparer.Default.Equals(f.Type, constructor.Parameters[i].Type)).Any())
            throw Unsupported(at, $"the constructor '{constructor.ToDisplayString()}'", "its [FieldwiseConstructor] parameters do not match the struct's fields");
        for (int i = 0; i < fields.Length; i++)
            StoreTo(fields[i].Type, args[i], FieldAddress(owner, instance, fields[i], owner.Fields[fields[i].Name], at), at);
    }

    /// <summary>
    /// <c>x with { ... }</c> on a struct: the control-flow graph captures the operand and assigns the members of
    /// the capture, so the capture must be a copy (C# never changes <c>x</c>). True when handled.
    /// </summary>
    private bool EmitWithOperandCopy(IFlowCaptureOperation capture)
    {
        if (capture.Syntax.Parent is not WithExpressionSyntax with || with.Expression != capture.Syntax || capture.Value.Type is not { } type) return false;
        TypeLayout layout = _module.LayoutOf(type, capture.Syntax.GetLocation());
        if (layout.Category != TypeCategory.Struct) return false;
        if (!_captures.TryGetValue(capture.Id, out Capture slot))
        {
            slot = new Capture(Alloca(_llvm.Ptr, "capture", 8), _llvm.Ptr, IsAddress: true);
            _captures[capture.Id] = slot;
        }
        LValue copy = Alloca(layout.Memory, "with", StackAlign(layout));
        StoreScalar(layout, EmitValue(capture.Value), copy);
        _llvm.Store(copy, slot.Slot, 8);
        return true;
    }
}
