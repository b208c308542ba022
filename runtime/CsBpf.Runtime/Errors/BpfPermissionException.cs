namespace CsBpf.Runtime;

/// <summary>
/// The kernel refused a BPF operation with <c>EPERM</c>/<c>EACCES</c> for lack of privileges (not because the
/// verifier rejected a program): the process needs root or <c>CAP_BPF</c> + <c>CAP_PERFMON</c>.
/// </summary>
public class BpfPermissionException : BpfException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Cause and fix.</param>
    /// <param name="errno"><c>EPERM</c> (1) or <c>EACCES</c> (13).</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BpfPermissionException(string message, int errno, Exception? innerException = null) : base(message, errno, innerException) { }
}
