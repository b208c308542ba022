using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// The lowering's own checks for constructs the shared rule set (CsBpf.Analyzers/Rules) also reports: the same
// descriptor and message arguments, so the same code gets the same ID whether the analyzer or the compiler
// finds it (the analyzers run first; these checks are the final word when a rule misses a case).
internal sealed partial class FunctionLowering
{
    private static LoweringException Unsupported(DiagnosticDescriptor rule, Location at, params object[] args) =>
        new(Diagnostic.Create(rule, at, args));

    /// <summary>A call that is not BPF code, with the rule set's ID for its kind (UnsupportedConstructAnalyzer).</summary>
    private static LoweringException UnsupportedCall(IInvocationOperation invocation, Location at)
    {
        IMethodSymbol target = invocation.TargetMethod;
        string? containing = target.ContainingType?.OriginalDefinition.ToDisplayString();
        if (target.ContainingType?.TypeKind == TypeKind.Delegate)
            return Unsupported(BpfDiagnostics.DelegateInBpfCode, at, DiagnosticText.Snippet(invocation.Syntax));
        if (containing is "System.Linq.Enumerable" or "System.Linq.Queryable")
            return Unsupported(BpfDiagnostics.LinqInBpfCode, at, DiagnosticText.Snippet(invocation.Syntax));
        if (target.IsVirtual || target.IsAbstract || target.IsOverride || target.ContainingType?.TypeKind == TypeKind.Interface)
            return Unsupported(BpfDiagnostics.VirtualCall, at, DiagnosticText.Snippet(invocation.Syntax));
        return Unsupported(BpfDiagnostics.UnsupportedCall, at, target.ToDisplayString());
    }

    /// <summary>Structured constructs with their own rule IDs, refused before the CFG turns them into regions
    /// or closures.</summary>
    private static void RejectRuleConstruct(IOperation op)
    {
        Location at = op.Syntax.GetLocation();
        switch (op)
        {
            case ITryOperation:
                throw Unsupported(BpfDiagnostics.ExceptionInBpfCode,
                    op.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.TryStatementSyntax t ? t.TryKeyword.GetLocation() : at, "try");
            case IThrowOperation:
                throw Unsupported(BpfDiagnostics.ExceptionInBpfCode, at, DiagnosticText.Snippet(op.Syntax));
            case ILockOperation:
                throw Unsupported(BpfDiagnostics.LockOrUsing, at, "lock", "use Interlocked on a map value or global instead");
            case IUsingOperation or IUsingDeclarationOperation:
                throw Unsupported(BpfDiagnostics.LockOrUsing, at, "using", "BPF code has no disposable objects; call the cleanup method directly");
            case IAnonymousFunctionOperation:
                throw Unsupported(BpfDiagnostics.DelegateInBpfCode, at, DiagnosticText.Snippet(op.Syntax));
            case ILocalFunctionOperation local:
                throw Unsupported(BpfDiagnostics.DelegateInBpfCode, local.Symbol.Locations[0], local.Symbol.Name);
            case IForEachLoopOperation { Collection: var collection } forEach
                when Unconverted(collection).Type is { } type && Types.TypeMapper.SpanElementType(type) is null
                     && (type is not INamedTypeSymbol named || Types.TypeMapper.InlineArrayLength(named) is null):
                throw Unsupported(BpfDiagnostics.ForEachOverEnumerable,
                    forEach.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ForEachStatementSyntax s ? s.Expression.GetLocation() : at, type.ToDisplayString());
        }
    }

    private static IOperation Unconverted(IOperation op)
    {
        while (op is IConversionOperation { IsImplicit: true } c) op = c.Operand;
        return op;
    }

    /// <summary>A guard reported with a rule's descriptor (see <see cref="EmitGuard(LValue, Location, string, string, DiagnosticDescriptor)"/>).</summary>
    private void EmitGuard(LValue failure, Location at, DiagnosticDescriptor rule, params object[] args)
    {
        var (function, type, site) = _module.GuardSite(at, rule, args);
        LBlock fail = _llvm.AppendBlock(_function, "guard"), ok = _llvm.AppendBlock(_function, "guarded");
        _llvm.CondBr(failure, fail, ok);
        _llvm.PositionAtEnd(fail);
        _llvm.Call(type, function, [_llvm.ConstInt(_llvm.I32, (ulong)site)]);
        _llvm.Br(ok);
        _llvm.PositionAtEnd(ok);
    }

    /// <summary>How a divisor or index is quoted in a guard's message: its source text.</summary>
    private static string OperandText(IOperation? operand, Location fallback) =>
        operand is not null ? DiagnosticText.Snippet(operand.Syntax) : DiagnosticText.Snippet(fallback);
}
