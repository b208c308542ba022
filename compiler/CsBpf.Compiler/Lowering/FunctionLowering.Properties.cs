using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Properties and indexers declared in the project (static, or non-virtual members of structs). An accessor with
// a body is a call of its BPF function; an auto-implemented accessor (`get;`, `set;`, `init;`) reads or writes
// the backing field the C# compiler declares for it, which is part of the struct's layout like any field. A
// ref-returning property is its getter's result (an address). A property read and then written
// (`p.X += 1`, `p[i]++`) evaluates its receiver and index arguments once, as C# does.
internal sealed partial class FunctionLowering
{
    /// <summary>A property access whose receiver and index arguments are evaluated.</summary>
    private readonly record struct PropertyAccess(IPropertyReferenceOperation Reference, LValue? Receiver, LValue[] Arguments);

    /// <summary>True for a property or indexer declared in this project (not a span's, a context's or a packet's).</summary>
    private bool IsSourceProperty(IPropertyReferenceOperation reference) =>
        !reference.Property.DeclaringSyntaxReferences.IsEmpty
        && SymbolEqualityComparer.Default.Equals(reference.Property.ContainingAssembly, _module.Compilation.Assembly);

    /// <summary>True when reads or writes of <paramref name="reference"/> go through accessor calls (an lvalue
    /// without an address): a source property that does not return by ref, or a flow capture of one.</summary>
    private bool IsAccessorProperty(IOperation reference) =>
        reference is IPropertyReferenceOperation p && IsSourceProperty(p) && !p.Property.ReturnsByRef && !p.Property.ReturnsByRefReadonly
        || reference is IFlowCaptureReferenceOperation c && _propertyCaptures.ContainsKey(c.Id);

    /// <summary>Properties the control-flow graph captured as an assignment's target (`c.P = cond ? a : b`,
    /// `c.P += cond ? a : b`): the capture stands for the property, its receiver and index arguments evaluated
    /// where the capture is; reads call the getter, the assignment the setter.</summary>
    private readonly Dictionary<CaptureId, PropertyAccess> _propertyCaptures = new();

    private bool EmitPropertyCapture(IFlowCaptureOperation capture)
    {
        if (!_lvalueCaptures.Contains(capture.Id) || !IsAccessorProperty(capture.Value)) return false;
        _propertyCaptures[capture.Id] = PropertyAccessOf(capture.Value);
        return true;
    }

    /// <summary>The property access an accessor lvalue stands for (evaluated now, or when it was captured).</summary>
    private PropertyAccess PropertyAccessOf(IOperation target) =>
        target is IFlowCaptureReferenceOperation c && _propertyCaptures.TryGetValue(c.Id, out PropertyAccess captured)
            ? captured : PrepareProperty((IPropertyReferenceOperation)target);

    /// <summary>The value of a captured property (its getter), or its address for a struct.</summary>
    private LValue EmitCapturedProperty(IFlowCaptureReferenceOperation reference, bool address)
    {
        PropertyAccess access = _propertyCaptures[reference.Id];
        LValue value = GetProperty(access);
        if (!address) return value;
        TypeLayout layout = _module.LayoutOf(reference.Type!, reference.Syntax.GetLocation());
        if (layout.Category == TypeCategory.Struct) return value;
        LValue temp = Alloca(layout.Memory, "property", StackAlign(layout));
        StoreScalar(layout, value, temp);
        return temp;
    }

    private PropertyAccess PrepareProperty(IPropertyReferenceOperation reference)
    {
        Location at = reference.Syntax.GetLocation();
        if (reference.Instance is { Type.IsReferenceType: true })
            throw Unsupported(at, $"the instance property '{reference.Property.ToDisplayString()}' of a class", "BPF code has no objects on the managed heap; make it a member of a struct");
        LValue? receiver = reference.Instance is { } instance ? EmitAddress(instance) : null;
        IMethodSymbol? accessor = reference.Property.GetMethod ?? reference.Property.SetMethod;
        LValue[] args = accessor is null ? [] : EmitArguments(accessor, reference.Arguments, at);
        return new PropertyAccess(reference, receiver, args);
    }

    /// <summary>The value of a source property (a struct as its address, a ref-returning property's target loaded).</summary>
    private LValue EmitSourcePropertyValue(IPropertyReferenceOperation reference)
    {
        PropertyAccess access = PrepareProperty(reference);
        LValue value = GetProperty(access);
        return reference.Property.ReturnsByRef || reference.Property.ReturnsByRefReadonly
            ? LoadFrom(reference.Type!, value, reference.Syntax.GetLocation()) : value;
    }

    /// <summary>The address of a source property used where C# needs a variable: a ref-returning property's
    /// target, else (a value) a temporary holding it.</summary>
    private LValue EmitSourcePropertyAddress(IPropertyReferenceOperation reference)
    {
        if (reference.Property.ReturnsByRef || reference.Property.ReturnsByRefReadonly) return GetProperty(PrepareProperty(reference));
        Location at = reference.Syntax.GetLocation();
        TypeLayout layout = _module.LayoutOf(reference.Type!, at);
        LValue value = GetProperty(PrepareProperty(reference));
        if (layout.Category == TypeCategory.Struct) return value;
        LValue temp = Alloca(layout.Memory, "property", StackAlign(layout));
        StoreScalar(layout, value, temp);
        return temp;
    }

    /// <summary>The getter's result: a value, or for a ref-returning property an address.</summary>
    private LValue GetProperty(PropertyAccess access)
    {
        IPropertyReferenceOperation reference = access.Reference;
        Location at = reference.Syntax.GetLocation();
        IMethodSymbol getter = reference.Property.GetMethod
            ?? throw Unsupported(at, $"reading the property '{reference.Property.Name}', which has no getter");
        if (AutoBackingField(reference.Property, getter) is { } field)
            return LoadFrom(reference.Type!, BackingFieldAddress(reference, access.Receiver, field, at), at);
        LValue? receiver = access.Receiver is { } r ? ReceiverFor(getter, reference.Instance!, r) : null;
        return CallFunction(getter, receiver, access.Arguments, reference.Syntax, at);
    }

    /// <summary>Calls the setter (or stores to the backing field of an auto-implemented one).</summary>
    private void SetProperty(PropertyAccess access, LValue value)
    {
        IPropertyReferenceOperation reference = access.Reference;
        Location at = reference.Syntax.GetLocation();
        IMethodSymbol setter = reference.Property.SetMethod
            ?? throw Unsupported(at, $"writing the property '{reference.Property.Name}', which has no setter");
        if (AutoBackingField(reference.Property, setter) is { } field)
        {
            StoreTo(reference.Type!, value, BackingFieldAddress(reference, access.Receiver, field, at), at);
            return;
        }
        CallFunction(setter, access.Receiver, [.. access.Arguments, value], reference.Syntax, at);
    }

    /// <summary>The field behind an auto-implemented accessor (<c>get;</c>, <c>set;</c>, <c>init;</c>, or a
    /// positional record member), or null when the accessor has a body.</summary>
    private static IFieldSymbol? AutoBackingField(IPropertySymbol property, IMethodSymbol accessor)
    {
        SyntaxNode? syntax = accessor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (syntax is AccessorDeclarationSyntax { Body: not null } or AccessorDeclarationSyntax { ExpressionBody: not null } or ArrowExpressionClauseSyntax)
            return null;
        return property.ContainingType.GetMembers().OfType<IFieldSymbol>()
            .FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));
    }

    private LValue BackingFieldAddress(IPropertyReferenceOperation reference, LValue? receiver, IFieldSymbol field, Location at)
    {
        if (field.IsStatic || receiver is not { } baseAddress)
            throw Unsupported(at, $"the static auto-property '{reference.Property.Name}' of '{reference.Property.ContainingType.Name}'",
                "BPF code can use the static fields (maps and globals) of its own [BpfProgram] class only; give the property a body or use a global");
        TypeLayout owner = _module.LayoutOf(field.ContainingType, at);
        if (owner.Fields is null || !owner.Fields.TryGetValue(field.Name, out var f))
            throw Unsupported(at, $"the backing field of '{reference.Property.Name}'");
        return FieldAddress(owner, baseAddress, field, f, at);
    }

    /// <summary>
    /// How to read and write an lvalue: a source property through its accessors (receiver and index arguments
    /// evaluated once, here), anything else through its address.
    /// </summary>
    private (Func<LValue> Load, Action<LValue> Store) LvalueAccessors(IOperation target, Location at)
    {
        if (IsAccessorProperty(target))
        {
            PropertyAccess access = PropertyAccessOf(target);
            return (() => GetProperty(access), value => SetProperty(access, value));
        }
        ITypeSymbol type = target.Type!;
        LValue address = EmitAddress(target);
        return (() => LoadFrom(type, address, at), value => StoreTo(type, value, address, at));
    }
}
