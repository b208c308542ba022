using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Tracing intrinsics of the program-side API that are not kernel helpers.
internal sealed partial class FunctionLowering
{
    private const string BpfClass = "CsBpf.Bpf";

    /// <summary>Lowers <c>Bpf.AddressOf(in x)</c>; null for other calls.</summary>
    private LValue? EmitTracingIntrinsic(IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (target.Name != "AddressOf" || target.ContainingType?.ToDisplayString() != BpfClass) return null;
        IOperation operand = invocation.Arguments[0].Value;
        // The address of the context record itself is the raw ctx pointer (no preserve.static.offset marker:
        // it is not dereferenced here but passed to a helper as a number, e.g. bpf_probe_read_kernel_str).
        // A context value (PtRegs, …) is the ctx pointer itself: its address is the kernel struct's.
        LValue address = operand is IParameterReferenceOperation { Parameter: { RefKind: not RefKind.None } p } && IsContextParameter(p)
            ? _llvm.Load(_llvm.Ptr, _slots[p], 8)
            : operand.Type is { } type && Types.TypeMapper.IsContext(type) ? EmitValue(operand)
            : EmitAddress(operand);
        return _llvm.Cast(CastOpcode.PtrToInt, address, _llvm.I64);
    }

    /// <summary>The record parameter of a tracepoint program that takes its typed record.</summary>
    private bool IsTracepointRecord(IParameterSymbol parameter) =>
        parameter.RefKind != RefKind.None && _module.Model.Programs.Any(p => p.Kind == Frontend.ProgramKind.TracepointRecord
            && SymbolEqualityComparer.Default.Equals(p.Method, _method) && parameter.Ordinal == 0);

    /// <summary>CSBPF1100: the whole record read as a value (a copy would read the common header at offsets 0..7).</summary>
    private static LoweringException RecordCopy(IParameterReferenceOperation parameter) =>
        new(Diagnostic.Create(CsBpf.Analyzers.Diagnostics.BpfDiagnostics.TracepointRecordCopy, parameter.Syntax.GetLocation(), parameter.Parameter.Name));
}
