namespace CsBpf;

/// <summary>Thrown on the CLR by a successful <see cref="ProgramArray.TailCall{TContext}(TContext, uint)"/> to end the calling
/// program, carrying the target's return value (caught by <see cref="ProgramArray.Run{TContext}(Func{TContext, int}, TContext)"/>).</summary>
public sealed class TailCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TailCallException(int returnValue)
        : base($"A tail call replaced the running program; its result is {returnValue}.") => ReturnValue = returnValue;

    /// <summary>The tail-called program's return value.</summary>
    public int ReturnValue { get; }
}
