namespace CsBpf.Compiler.Llvm;

/// <summary>libLLVM 19 could not be loaded; the message names the cause and the fix.</summary>
public sealed class LlvmNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlvmNotFoundException(string message) : base(message) { }
}
