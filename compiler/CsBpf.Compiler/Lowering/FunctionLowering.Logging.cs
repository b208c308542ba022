using System.Globalization;
using System.Text;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static CsBpf.Compiler.Lowering.ModuleLowering;

namespace CsBpf.Compiler.Lowering;

// BpfLog.Info($"opened {path} by {pid}") and the other levels: the interpolated string is split at compile time
// into literals and typed holes (the module's format table), and the call site writes one fixed-size record
// into the log ring: { u32 format id, u32 level, then each hole at its offset } — integers, chars, bools and
// enums widened to 8 bytes, byte buffers copied as they are. The kernel never sees a format string.
internal sealed partial class FunctionLowering
{
    private const int HelperRingbufReserve = 131; // void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags)
    private const int HelperRingbufSubmit = 132;  // void bpf_ringbuf_submit(void *data, u64 flags)
    private const int LogHeaderSize = 8;          // u32 format id, u32 level
    private const int MaxLogTextSize = 512;       // the BPF stack size: no byte buffer in BPF code is bigger

    private LValue EmitLogCall(IInvocationOperation invocation, Location at)
    {
        int level = invocation.TargetMethod.Name switch
        {
            // Microsoft.Extensions.Logging.LogLevel values.
            "Trace" => 0,
            "Debug" => 1,
            "Info" => 2,
            "Warning" => 3,
            "Error" => 4,
            "Critical" => 5,
            _ => throw new LoweringException(Diagnostic.Create(BpfDiagnostics.UnsupportedCall, at, invocation.TargetMethod.ToDisplayString())),
        };
        if (invocation.Arguments.Length != 1)
            throw LogFormatError(at, "call BpfLog with one interpolated string, e.g. BpfLog.Info($\"pid {pid}\")");

        IOperation message = invocation.Arguments[0].Value;
        while (message is IConversionOperation { Conversion.IsImplicit: true } c) message = c.Operand;

        var literals = new List<string>();
        var holes = new List<LogHole>();
        var values = new List<LValue>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        int offset = LogHeaderSize;
        switch (message)
        {
            case { ConstantValue: { HasValue: true, Value: string constant } }:
                text.Append(constant);
                break;
            case IInterpolatedStringOperation interpolated:
                foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                {
                    if (part is IInterpolatedStringTextOperation literal)
                    {
                        text.Append((string?)literal.Text.ConstantValue.Value);
                        continue;
                    }
                    var hole = (IInterpolationOperation)part;
                    literals.Add(text.ToString());
                    text.Clear();
                    (LogHole logHole, LValue value) = EmitLogHole(hole, holes.Count, names, ref offset);
                    holes.Add(logHole);
                    values.Add(value);
                }
                break;
            default:
                throw LogFormatError(message.Syntax.GetLocation(),
                    "the message must be a constant or an interpolated string written at the call, e.g. BpfLog.Info($\"pid {pid}\")");
        }
        literals.Add(text.ToString());

        int size = offset;
        if (size + 8 > _module.LogBufferSize)
            throw new LoweringException(Diagnostic.Create(BpfDiagnostics.LogOptions, at, _module.Model.Class.Name,
                $"a {size}-byte record does not fit the {_module.LogBufferSize}-byte ring; raise [BpfLogOptions(BufferSize = ...)]"));
        FileLinePositionSpan span = at.GetLineSpan();
        string source = $"{Path.GetFileName(span.Path)}:{span.StartLinePosition.Line + 1}";
        int id = _module.RegisterLogFormat(new LogFormat(level, literals, holes, size, source));

        SetLocation(invocation.Syntax);
        (LValue ring, LValue lost, LValue minimumLevel) = _module.LogMaps(at);
        LBlock write = _llvm.AppendBlock(_function, "log"), dropped = _llvm.AppendBlock(_function, "logFull"), done = _llvm.AppendBlock(_function, "logged");
        // Below the minimum level (.rodata, set by the host before load) the call does nothing; the verifier knows
        // the frozen value and drops the dead branch, so disabled levels cost nothing at run time.
        LBlock enabled = _llvm.AppendBlock(_function, "logEnabled");
        LValue minimum = _llvm.Load(_llvm.I32, minimumLevel, 4);
        _llvm.CondBr(_llvm.ICmp(IntPredicate.Uge, _llvm.ConstInt(_llvm.I32, (ulong)level), minimum), enabled, done);
        _llvm.PositionAtEnd(enabled);
        // Reserve the record in the ring itself (no copy through the 512-byte stack); the verifier requires the
        // null check and a submit on every path that got a record.
        LValue record = _llvm.Call(_llvm.Function(_llvm.Ptr, [_llvm.Ptr, _llvm.I64, _llvm.I64]), _llvm.HelperPointer(HelperRingbufReserve),
            [ring, _llvm.ConstInt(_llvm.I64, (ulong)size), _llvm.ConstInt(_llvm.I64, 0)]);
        _llvm.CondBr(_llvm.ICmp(IntPredicate.Eq, record, _llvm.ConstNull(_llvm.Ptr)), dropped, write);

        _llvm.PositionAtEnd(write);
        _llvm.Store(_llvm.ConstInt(_llvm.I32, (ulong)id), record, 8);
        _llvm.Store(_llvm.ConstInt(_llvm.I32, (ulong)level), At(record, 4), 4);
        for (int i = 0; i < holes.Count; i++)
        {
            LogHole hole = holes[i];
            if (hole.Kind == "text") _llvm.MemCpy(At(record, hole.Offset), values[i], (ulong)hole.TypeSize, 1);
            else _llvm.Store(values[i], At(record, hole.Offset), 8);
        }
        // Flags 0: the kernel's adaptive wake-up (the reader is woken when it has caught up with the producers).
        _llvm.Call(_llvm.Function(_llvm.Void, [_llvm.Ptr, _llvm.I64]), _llvm.HelperPointer(HelperRingbufSubmit), [record, _llvm.ConstInt(_llvm.I64, 0)]);
        _llvm.Br(done);

        // The ring is full (the host is behind): count the loss so the host can report it.
        _llvm.PositionAtEnd(dropped);
        LValue key = Alloca(_llvm.I32, "logLostKey", 4);
        _llvm.Store(_llvm.ConstInt(_llvm.I32, 0), key, 4);
        LValue counter = _llvm.Call(_llvm.Function(_llvm.Ptr, [_llvm.Ptr, _llvm.Ptr]), _llvm.HelperPointer(HelperMapLookup), [lost, key]);
        LBlock count = _llvm.AppendBlock(_function, "logCountLost");
        _llvm.CondBr(_llvm.ICmp(IntPredicate.Eq, counter, _llvm.ConstNull(_llvm.Ptr)), done, count);
        _llvm.PositionAtEnd(count);
        _llvm.AtomicRmw(AtomicRmwOp.Add, counter, _llvm.ConstInt(_llvm.I64, 1)); // result unused: BPF_ADD without fetch, every cpu version
        _llvm.Br(done);

        _llvm.PositionAtEnd(done);
        return _llvm.ConstInt(_llvm.I64, 0);
    }

    /// <summary>
    /// Checks every BpfLog message before the control-flow graph is built: the graph would turn a computed
    /// message (a ternary of strings, say) into a string-typed temporary, which would be reported as an
    /// unsupported type instead of as what it is.
    /// </summary>
    private static void RejectComputedLogMessages(IOperation body)
    {
        foreach (IOperation op in body.Descendants())
        {
            if (op is not IInvocationOperation { TargetMethod.ContainingType: { } type } call ||
                type.ToDisplayString() != Frontend.WellKnownNames.BpfLog || call.Arguments.Length != 1) continue;
            IOperation message = call.Arguments[0].Value;
            while (message is IConversionOperation { Conversion.IsImplicit: true } c) message = c.Operand;
            if (message is IInterpolatedStringOperation || message.ConstantValue is { HasValue: true, Value: string }) continue;
            throw LogFormatError(message.Syntax.GetLocation(),
                "the message must be a constant or an interpolated string written at the call, e.g. BpfLog.Info($\"pid {pid}\")");
        }
    }

    private LValue At(LValue record, int offset) => _llvm.Gep(_llvm.I8, record, [_llvm.ConstInt(_llvm.I64, (ulong)offset)]);

    /// <summary>Classifies a hole, checks its format, evaluates it (in source order, before the record is
    /// reserved) and places it in the record.</summary>
    private (LogHole Hole, LValue Value) EmitLogHole(IInterpolationOperation hole, int index, HashSet<string> names, ref int offset)
    {
        Location at = hole.Syntax.GetLocation();
        IOperation expression = hole.Expression;
        while (expression is IConversionOperation { Conversion.IsImplicit: true, Type.SpecialType: SpecialType.System_Object } boxing)
            expression = boxing.Operand;
        ITypeSymbol type = expression.Type ?? throw LogFormatError(at, "the hole has no type");

        int alignment = 0;
        if (hole.Alignment is { } alignmentOperation)
        {
            if (alignmentOperation.ConstantValue is not { HasValue: true, Value: int a })
                throw LogFormatError(alignmentOperation.Syntax.GetLocation(), "the alignment must be a constant");
            alignment = a;
        }
        string? format = hole.FormatString?.ConstantValue.Value as string;
        string name = UniqueName(HoleName(hole.Expression.Syntax, index), names);
        string description = hole.Expression.Syntax.ToString();

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } buffer && TypeMapper.InlineArrayLength(buffer) is int length &&
            buffer.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => !f.IsStatic)?.Type.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte)
        {
            if (length > MaxLogTextSize)
                throw LogTypeError(at, description, type, $"byte buffers up to {MaxLogTextSize} bytes can be logged");
            _module.LayoutOf(type, at);
            LValue address = EmitValue(expression); // a struct's value is the address of its storage
            var textHole = new LogHole(name, "text", length, offset, alignment, format, null);
            offset += (length + 7) & ~7;
            return (textHole, address);
        }

        TypeLayout? layout = type is { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } ? null : _module.Types.TryGetLayout(type, out _);
        if (layout is null || layout.Category is not (TypeCategory.Integer or TypeCategory.Boolean))
            throw LogTypeError(at, description, type,
                "log integers, char, bool, enums, or byte buffers ([InlineArray(N)] structs of byte such as TaskComm, printed as text); log a struct's fields one by one");

        string kind;
        LogEnum? enumInfo = null;
        if (layout.Category == TypeCategory.Boolean) kind = "bool";
        else if (type.SpecialType == SpecialType.System_Char) kind = "char";
        else if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
        {
            kind = "enum";
            enumInfo = EnumInfo(enumType, layout.IsSigned);
            if (format is not null && format is not ("G" or "g" or "D" or "d" or "X" or "x" or "F" or "f"))
                throw LogFormatError(hole.FormatString!.Syntax.GetLocation(), $"'{format}' is not an enum format (C# throws FormatException); use G, D, X or F");
        }
        else
        {
            kind = layout.IsSigned ? "int" : "uint";
            if (format is not null)
            {
                try
                {
                    _ = 123L.ToString(format, CultureInfo.InvariantCulture);
                }
                catch (FormatException)
                {
                    throw LogFormatError(hole.FormatString!.Syntax.GetLocation(), $"'{format}' is not a valid integer format (C# throws FormatException)");
                }
            }
        }

        LValue value = EmitValue(expression);
        LValue widened = layout.Category == TypeCategory.Boolean || !layout.IsSigned
            ? (layout.Size == 8 && layout.Category != TypeCategory.Boolean ? value : _llvm.Cast(CastOpcode.ZExt, value, _llvm.I64))
            : (layout.Size == 8 ? value : _llvm.Cast(CastOpcode.SExt, value, _llvm.I64));
        var scalarHole = new LogHole(name, kind, (int)layout.Size, offset, alignment, format, enumInfo);
        offset += 8;
        return (scalarHole, widened);
    }

    private static LogEnum EnumInfo(INamedTypeSymbol type, bool signed)
    {
        var members = new List<(string, ulong)>();
        foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>())
        {
            if (!field.HasConstantValue || field.ConstantValue is null) continue;
            ulong value = signed ? unchecked((ulong)Convert.ToInt64(field.ConstantValue, CultureInfo.InvariantCulture))
                                 : Convert.ToUInt64(field.ConstantValue, CultureInfo.InvariantCulture);
            members.Add((field.Name, value));
        }
        bool flags = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.FlagsAttribute");
        return new LogEnum(type.Name, flags, signed, members);
    }

    /// <summary>The property name of a hole: the variable, field, property or method it reads
    /// (<c>{args.Pid}</c> → <c>Pid</c>), else <c>argN</c>.</summary>
    private static string HoleName(SyntaxNode syntax, int index) => syntax switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        InvocationExpressionSyntax call => HoleName(call.Expression, index),
        CastExpressionSyntax cast => HoleName(cast.Expression, index),
        ParenthesizedExpressionSyntax parenthesized => HoleName(parenthesized.Expression, index),
        ElementAccessExpressionSyntax element => HoleName(element.Expression, index),
        _ => "arg" + index.ToString(CultureInfo.InvariantCulture),
    };

    private static string UniqueName(string name, HashSet<string> names)
    {
        string unique = name;
        for (int n = 2; !names.Add(unique); n++) unique = name + n.ToString(CultureInfo.InvariantCulture);
        return unique;
    }

    private static LoweringException LogFormatError(Location at, string why) =>
        new(Diagnostic.Create(BpfDiagnostics.LogMessageFormat, at, why));

    private static LoweringException LogTypeError(Location at, string expression, ITypeSymbol type, string why) =>
        new(Diagnostic.Create(BpfDiagnostics.LogArgumentType, at, expression, type.ToDisplayString(), why));
}
