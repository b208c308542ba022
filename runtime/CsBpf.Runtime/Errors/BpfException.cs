namespace CsBpf.Runtime;

/// <summary>
/// Base of every failure reported by the CsBpf host runtime: opening, loading, attaching BPF objects and
/// accessing their maps. The message names the cause and the fix.
/// </summary>
public class BpfException : Exception
{
    /// <summary>Creates an exception without an errno.</summary>
    public BpfException(string message) : this(message, 0, null) { }

    /// <summary>Creates an exception wrapping <paramref name="innerException"/>.</summary>
    public BpfException(string message, Exception? innerException) : this(message, 0, innerException) { }

    /// <summary>Creates an exception for a failed kernel or libbpf call.</summary>
    /// <param name="message">Cause and fix.</param>
    /// <param name="errno">The positive errno (or libbpf 4000-range code) of the failure; 0 when not applicable.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BpfException(string message, int errno, Exception? innerException = null) : base(message, innerException) =>
        Errno = errno;

    /// <summary>The positive errno of the failed call (e.g. 13 for <c>EACCES</c>), or 0 when not applicable.</summary>
    public int Errno { get; }
}
