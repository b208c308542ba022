namespace CsBpf;

/// <summary>A program whose context is a <c>ref</c> struct, such as a syscall program <c>static int M(ref Args args)</c>
/// (used to run tail-call chains on the CLR, see <see cref="ProgramArray"/>).</summary>
/// <typeparam name="TContext">The context struct.</typeparam>
public delegate int RefProgram<TContext>(ref TContext ctx);
