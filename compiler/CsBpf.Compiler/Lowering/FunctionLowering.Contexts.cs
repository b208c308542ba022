using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Program contexts: properties marked [ContextField(offset)] on IBpfContext structs are loads and stores at
// ctx + offset. The context value itself is the ctx pointer (TypeMapper.IsContext).
internal sealed partial class FunctionLowering
{
    /// <summary>The kernel offset and size of a <c>[ContextField]</c> property, or null for other properties.</summary>
    private static (int Offset, int Size)? ContextField(IPropertyReferenceOperation property)
    {
        if (property.Instance?.Type is not { } owner || !TypeMapper.IsContext(owner)) return null;
        AttributeData? a = ProgramDiscovery.GetAttribute(property.Property, WellKnownNames.ContextFieldAttribute);
        if (a?.ConstructorArguments.FirstOrDefault().Value is not int offset) return null;
        int size = a.NamedArguments.FirstOrDefault(n => n.Key == "Size").Value.Value is int s ? s : 0;
        return (offset, size);
    }

    /// <summary>
    /// The address of a context field: <c>preserve.static.offset(ctx) + offset</c>, so the back end keeps the
    /// access as one <c>ctx + constant</c> load or store however the code is optimised (the verifier rejects a
    /// context pointer that was moved first).
    /// </summary>
    private LValue? EmitContextFieldAddress(IPropertyReferenceOperation property)
    {
        if (ContextField(property) is not var (offset, _)) return null;
        LValue ctx = _module.PreserveStaticOffset(EmitValue(property.Instance!));
        return offset == 0 ? ctx : _llvm.Gep(_llvm.I8, ctx, [_llvm.ConstInt(_llvm.I64, (ulong)offset)]);
    }

    /// <summary>A context field's value; a field narrower than the property (<c>Size</c>) is loaded at its own
    /// width and zero-extended (a pointer property over a <c>__u32</c> field becomes a pointer).</summary>
    private LValue? EmitContextFieldValue(IPropertyReferenceOperation property)
    {
        if (ContextField(property) is not var (_, size)) return null;
        Location at = property.Syntax.GetLocation();
        LValue address = EmitContextFieldAddress(property)!.Value;
        TypeLayout layout = _module.LayoutOf(property.Type!, at);
        if (size == 0 || (ulong)size == layout.Size) return LoadFrom(property.Type!, address, at);
        if (size is not (1 or 2 or 4 or 8) || (ulong)size > layout.Size)
            throw Unsupported(at, $"context field '{property.Property.Name}' of {size} bytes read as '{property.Type}'");
        LType narrow = _llvm.Int(size * 8);
        LValue raw = _llvm.Load(narrow, address, (uint)size);
        LValue wide = _llvm.Cast(CastOpcode.ZExt, raw, layout.Category == TypeCategory.Pointer ? _llvm.I64 : layout.Memory);
        return layout.Category switch
        {
            TypeCategory.Pointer => _llvm.Cast(CastOpcode.IntToPtr, wide, _llvm.Ptr),
            TypeCategory.Boolean => _llvm.ICmp(IntPredicate.Ne, wide, _llvm.ConstNull(layout.Memory)),
            _ => wide,
        };
    }
}
