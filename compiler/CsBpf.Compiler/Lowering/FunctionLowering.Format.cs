using System.Text;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Format helpers (bpf_trace_printk): an interpolated string is split at compile time into a printf
// format string in .rodata and up to three 64-bit arguments; the kernel never parses a C# format.
internal sealed partial class FunctionLowering
{
    private const int MaxPrintkArguments = 3; // bpf_trace_printk takes fmt, fmt_size and three u64s

    private LValue EmitFormatHelperCall(IInvocationOperation invocation, int id, Location at)
    {
        IOperation message = invocation.Arguments[0].Value;
        while (message is IConversionOperation { Conversion.IsImplicit: true } c) message = c.Operand;
        var format = new StringBuilder();
        var values = new List<LValue>();
        switch (message)
        {
            case { ConstantValue: { HasValue: true, Value: string text } }:
                format.Append(text.Replace("%", "%%"));
                break;
            case IInterpolatedStringOperation interpolated:
                foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                {
                    if (part is IInterpolatedStringTextOperation literal)
                    {
                        format.Append(((string)literal.Text.ConstantValue.Value!).Replace("%", "%%"));
                        continue;
                    }
                    var hole = (IInterpolationOperation)part;
                    Location holeAt = hole.Syntax.GetLocation();
                    if (hole.Alignment is not null)
                        throw Unsupported(holeAt, "alignment in a format hole", "remove the ',width' part");
                    if (values.Count == MaxPrintkArguments)
                        throw Unsupported(holeAt, "a fourth value in Bpf.Printk", "bpf_trace_printk prints at most three values; split the message");
                    string? spec = hole.FormatString?.ConstantValue.Value as string;
                    (string conversion, LValue value) = FormatArgument(hole.Expression, spec, holeAt);
                    format.Append(conversion);
                    values.Add(value);
                }
                break;
            default:
                throw Unsupported(message.Syntax.GetLocation(), "a format that is not a constant or interpolated string",
                    "write the message inline, e.g. Bpf.Printk($\"pid {pid}\")");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(format.ToString());
        LValue global = _module.FormatString(bytes);
        var args = new List<LValue> { global, _llvm.ConstInt(_llvm.I64, (ulong)bytes.Length + 1) };
        args.AddRange(values);
        LType fnType = _llvm.Function(_llvm.I64, args.Select((_, i) => i == 0 ? _llvm.Ptr : _llvm.I64).ToArray());
        SetLocation(invocation.Syntax);
        return _llvm.Call(fnType, _llvm.HelperPointer(id), args.ToArray());
    }

    /// <summary>The printf conversion for a value and the value widened to 64 bits.</summary>
    private (string Conversion, LValue Value) FormatArgument(IOperation expression, string? spec, Location at)
    {
        ITypeSymbol type = expression.Type!;
        TypeLayout layout = _module.LayoutOf(type, at);
        LValue value = EmitValue(expression);
        bool hex = spec is "x" or "X";
        if (spec is not null && !hex)
            throw Unsupported(at, $"the format specifier ':{spec}'", "use no specifier or ':x'");
        switch (layout.Category)
        {
            case TypeCategory.Boolean:
                return ("%d", _llvm.Cast(CastOpcode.ZExt, value, _llvm.I64));
            case TypeCategory.Pointer:
                return ("%llx", _llvm.Cast(CastOpcode.PtrToInt, value, _llvm.I64));
            case TypeCategory.Integer:
                {
                    bool wide = layout.Size == 8;
                    LValue widened = wide ? value : _llvm.Cast(layout.IsSigned ? CastOpcode.SExt : CastOpcode.ZExt, value, _llvm.I64);
                    string conversion = (hex, wide, layout.IsSigned) switch
                    {
                        (true, true, _) => "%llx",
                        (true, false, _) => "%x",
                        (false, true, true) => "%lld",
                        (false, true, false) => "%llu",
                        (false, false, true) => "%d",
                        _ => "%u",
                    };
                    return (conversion, widened);
                }
            default:
                throw Unsupported(at, $"formatting a '{type}'", "print its fields one by one");
        }
    }
}
