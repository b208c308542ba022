using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

/// <summary>Stops lowering the current method with a diagnostic (an unsupported construct or type).</summary>
internal sealed class LoweringException(Diagnostic diagnostic) : Exception(diagnostic.GetMessage())
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}
