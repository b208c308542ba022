namespace CsBpf;

/// <summary>
/// A program array (<c>BPF_MAP_TYPE_PROG_ARRAY</c>, Linux 4.2) as seen from BPF code: slots holding programs of
/// the same type that <see cref="TailCall{TContext}(TContext, uint)"/> jumps to, replacing the running program (its return value
/// becomes the caller's). The host fills the slots (<c>BpfProgramArray</c>). Declare it as
/// <c>[Map] static readonly ProgramArray Programs = new(maxEntries: 8);</c>
/// </summary>
[BpfMapKind(BpfMapType.ProgArray)]
public sealed class ProgramArray
{
    /// <summary><c>MAX_TAIL_CALL_CNT</c>: the kernel stops a chain after this many tail calls.</summary>
    public const int MaxTailCalls = 33;

    [ThreadStatic] private static int t_depth;
    private readonly Delegate?[] _programs;

    /// <summary>Declares a program array.</summary>
    /// <param name="maxEntries">The number of slots (<c>max_entries</c>).</param>
    public ProgramArray(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        _programs = new Delegate?[maxEntries];
    }

    /// <summary>The number of slots.</summary>
    public int MaxEntries => _programs.Length;

    /// <summary>
    /// Jumps to the program in slot <paramref name="index"/> (<c>bpf_tail_call</c>, helper 12), passing it
    /// <paramref name="ctx"/>; the running program ends there and the target's return value is its result. Returns
    /// only when the jump did not happen: the slot is empty or out of range, or the chain already made
    /// <see cref="MaxTailCalls"/> jumps. On the CLR the target runs and a <see cref="TailCallException"/> carries
    /// its result out; run the first program with <see cref="Run{TContext}(Func{TContext, int}, TContext)"/> to get it.
    /// </summary>
    [MapIntrinsic(MapOperation.TailCall, Helper = 12)]
    public void TailCall<TContext>(TContext ctx, uint index)
        where TContext : IBpfContext
    {
        if (index >= (uint)_programs.Length || _programs[index] is not Func<TContext, int> program || t_depth >= MaxTailCalls) return;
        t_depth++;
        int result;
        try { result = Run(program, ctx); }
        finally { t_depth--; }
        throw new TailCallException(result);
    }

    /// <summary>
    /// <see cref="TailCall{TContext}(TContext, uint)"/> for programs whose context is a <c>ref</c> struct
    /// (syscall programs: <c>static int M(ref Args args)</c>): pass the program's <c>args</c>. On the CLR the target
    /// (set with <see cref="Set{TContext}(uint, RefProgram{TContext})"/>) gets the same <c>args</c> by reference.
    /// </summary>
    [MapIntrinsic(MapOperation.TailCall, Helper = 12)]
    public void TailCall<TContext>(ref TContext ctx, uint index)
        where TContext : unmanaged
    {
        if (index >= (uint)_programs.Length || _programs[index] is not RefProgram<TContext> program || t_depth >= MaxTailCalls) return;
        t_depth++;
        int result;
        try
        {
            try { result = program(ref ctx); }
            catch (TailCallException tail) { result = tail.ReturnValue; }
        }
        finally { t_depth--; }
        throw new TailCallException(result);
    }

    /// <summary>Puts <paramref name="program"/> in slot <paramref name="index"/> (CLR only; on the kernel the host does it), or empties it with null.</summary>
    public void Set<TContext>(uint index, Func<TContext, int>? program) => _programs[index] = program;

    /// <summary>Puts a program whose context is a <c>ref</c> struct (a syscall program) in slot <paramref name="index"/> (CLR only), or empties it with null.</summary>
    public void Set<TContext>(uint index, RefProgram<TContext>? program) => _programs[index] = program;

    /// <summary>Runs a program on the CLR the way the kernel does, following its tail calls: the result of the last program of the chain.</summary>
    public static int Run<TContext>(Func<TContext, int> program, TContext ctx)
    {
        ArgumentNullException.ThrowIfNull(program);
        try
        {
            return program(ctx);
        }
        catch (TailCallException tail)
        {
            return tail.ReturnValue;
        }
    }

    /// <summary>Runs a program whose context is a <c>ref</c> struct on the CLR, following its tail calls.</summary>
    public static int Run<TContext>(RefProgram<TContext> program, ref TContext ctx)
    {
        ArgumentNullException.ThrowIfNull(program);
        try
        {
            return program(ref ctx);
        }
        catch (TailCallException tail)
        {
            return tail.ReturnValue;
        }
    }
}
