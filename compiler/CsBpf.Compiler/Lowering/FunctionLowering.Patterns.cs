using CsBpf.Compiler.Llvm;
using CsBpf.Compiler.Types;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Compiler.Lowering;

// Patterns (is-patterns, and the switch statements/expressions the CFG rewrites into them): constant,
// relational, not/and/or, discard, var and same-type declaration patterns. All are side-effect free, so
// `and`/`or` evaluate both sides and combine the i1 results.
internal sealed partial class FunctionLowering
{
    private LValue EmitIsPattern(IIsPatternOperation isPattern)
    {
        ITypeSymbol inputType = isPattern.Value.Type!;
        LValue value = EmitValue(isPattern.Value);
        return EmitPattern(value, inputType, isPattern.Pattern);
    }

    private LValue EmitPattern(LValue value, ITypeSymbol inputType, IPatternOperation pattern)
    {
        Location at = pattern.Syntax.GetLocation();
        switch (pattern)
        {
            case IConstantPatternOperation constant:
                {
                    LValue c = ConvertInteger(EmitValue(constant.Value), constant.Value.Type ?? inputType, inputType, at);
                    return _llvm.ICmp(IntPredicate.Eq, value, c);
                }
            case IRelationalPatternOperation relational:
                {
                    LValue c = ConvertInteger(EmitValue(relational.Value), relational.Value.Type ?? inputType, inputType, at);
                    return EmitArithmetic(relational.OperatorKind, value, c, inputType, inputType, at);
                }
            case INegatedPatternOperation negated:
                return _llvm.Not(EmitPattern(value, inputType, negated.Pattern));
            case IBinaryPatternOperation binary:
                {
                    LValue left = EmitPattern(value, inputType, binary.LeftPattern);
                    LValue right = EmitPattern(value, inputType, binary.RightPattern);
                    return _llvm.Binary(binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOpcode.Or : BinaryOpcode.And, left, right);
                }
            case IDiscardPatternOperation:
                return _llvm.ConstInt(_llvm.I1, 1);
            case IDeclarationPatternOperation declaration
                when declaration.MatchesNull || declaration.MatchedType is null || SymbolEqualityComparer.Default.Equals(declaration.MatchedType, inputType):
                {
                    if (declaration.DeclaredSymbol is ILocalSymbol local)
                        StoreTo(local.Type, value, SlotOf(local, local.Type, isRef: false, at), at);
                    return _llvm.ConstInt(_llvm.I1, 1);
                }
            case ITypePatternOperation type when SymbolEqualityComparer.Default.Equals(type.MatchedType, inputType):
                return _llvm.ConstInt(_llvm.I1, 1);
            default:
                throw Unsupported(at, $"the pattern '{pattern.Syntax}'", "use constant, relational, not/and/or, var or discard patterns");
        }
    }
}
