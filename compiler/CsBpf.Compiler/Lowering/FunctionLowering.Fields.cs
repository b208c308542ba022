using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Struct fields: addresses of sequential fields (struct GEPs), of explicit-layout fields (byte offsets, they
// may overlap) and of fixed buffers, with the alignment each address really has. Loads and stores use that
// alignment: a field of a Pack = 1 or explicit-layout struct can sit below its natural alignment, and the
// verifier rejects misaligned stack accesses (kernel/bpf/verifier.c, check_ptr_alignment: stack accesses are
// always strict), so LLVM must know to split them. LLVM's InferAlignment raises it again where the base is a
// known-aligned stack slot.
internal sealed partial class FunctionLowering
{
    /// <summary>Addresses known to be less aligned than their type (bytes); absent = naturally aligned.</summary>
    private readonly Dictionary<LValue, uint> _addressAlign = new();

    /// <summary>The alignment to use for an access of natural alignment <paramref name="natural"/> at <paramref name="address"/>.</summary>
    private uint AlignAt(LValue address, uint natural) =>
        _addressAlign.TryGetValue(address, out uint known) ? Math.Min(known, natural) : natural;

    /// <summary>The address of field <paramref name="field"/> of a struct at <paramref name="baseAddress"/>.</summary>
    private LValue FieldAddress(TypeLayout owner, LValue baseAddress, IFieldSymbol field, (int Index, ulong Offset, ITypeSymbol Type) f, Location at)
    {
        LValue address = f.Index >= 0 ? _llvm.StructGep(owner.Memory, baseAddress, f.Index)
            : f.Offset == 0 ? baseAddress
            : _llvm.Gep(_llvm.I8, baseAddress, [_llvm.ConstInt(_llvm.I64, f.Offset)]);
        ITypeSymbol storage = field.IsFixedSizeBuffer && f.Type is IPointerTypeSymbol p ? p.PointedAtType : f.Type;
        uint natural = _module.LayoutOf(storage, at).Align;
        uint actual = TypeMapper.FieldAlignment(natural, AlignAt(baseAddress, owner.Align), f.Offset);
        if (actual < natural) _addressAlign[address] = Math.Min(actual, _addressAlign.GetValueOrDefault(address, actual));
        return address;
    }

    private readonly Dictionary<CaptureId, uint> _captureAlign = new();

    /// <summary>A flow capture of an under-aligned pointer (a fixed buffer of a packed struct, captured because a
    /// later operand branches) keeps that alignment when it is read back.</summary>
    private void NoteCapturedAlignment(CaptureId id, LValue captured)
    {
        if (_addressAlign.TryGetValue(captured, out uint align)) _captureAlign[id] = align;
    }

    private uint? CapturedAlignment(IFlowCaptureReferenceOperation reference) =>
        _captureAlign.TryGetValue(reference.Id, out uint align) ? align : null;

    private LValue WithAlignment(LValue address, uint align)
    {
        _addressAlign[address] = align;
        return address;
    }

    /// <summary>The length of the fixed buffer <paramref name="pointerOperand"/> names directly (a field
    /// reference, possibly through a flow capture), or null for any other pointer.</summary>
    private int? FixedBufferLength(IOperation pointerOperand)
    {
        switch (pointerOperand)
        {
            case IFieldReferenceOperation { Field: { IsFixedSizeBuffer: true } field }:
                return field.FixedSize;
            case IFlowCaptureReferenceOperation reference when _cfg is not null:
                foreach (BasicBlock block in _cfg.Blocks)
                    foreach (IOperation op in block.Operations)
                        if (op is IFlowCaptureOperation capture && capture.Id.Equals(reference.Id))
                            return FixedBufferLength(capture.Value);
                return null;
            default:
                return null;
        }
    }
}
