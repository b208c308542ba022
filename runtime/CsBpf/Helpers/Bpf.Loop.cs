namespace CsBpf;

public static partial class Bpf
{
    /// <summary><c>BPF_MAX_LOOPS</c>: the largest iteration count <see cref="Loop{T}"/> accepts (8M).</summary>
    public const uint MaxLoops = 8 * 1024 * 1024;

    /// <summary>
    /// <c>bpf_loop</c> (helper 181, Linux 5.17): calls <paramref name="callback"/> with 0, 1, … up to
    /// <paramref name="count"/> − 1 and <paramref name="context"/>, until it returns non-zero. The verifier checks
    /// the callback once instead of every iteration, so this is the loop to use when the count is not a constant
    /// or is too large for the verifier to walk. <paramref name="callback"/> must be a static method of the BPF
    /// class (a method group, not a lambda); <paramref name="context"/> must be a local (stack memory).
    /// </summary>
    /// <returns>The number of iterations run (the stopping one included), or -7 (<c>-E2BIG</c>) when
    /// <paramref name="count"/> exceeds <see cref="MaxLoops"/>.</returns>
    [BpfHelper(181)]
    public static long Loop<T>(uint count, LoopCallback<T> callback, ref T context) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (count > MaxLoops) return -7;
        for (uint i = 0; i < count; i++)
            if (callback(i, ref context) != 0) return i + 1L;
        return count;
    }
}
