namespace CsBpf.Compiler.Llvm;

/// <summary>LLVM refused the module (verification, passes or emission): an internal compiler error.</summary>
internal sealed class LlvmException(string message) : Exception(message);
