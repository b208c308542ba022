namespace CsBpf.Runtime;

/// <summary>
/// The running kernel lacks a feature the operation needs: a map type, program type, helper, attach type or
/// operation (the kernel answered <c>EOPNOTSUPP</c>/<c>ENOTSUPP</c>, or <c>EINVAL</c> where a probe confirmed the
/// feature is missing). The message names the feature; the fix is a newer kernel or not using it.
/// </summary>
public class BpfNotSupportedException : BpfException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing and what to do.</param>
    /// <param name="errno">The errno the kernel returned.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BpfNotSupportedException(string message, int errno, Exception? innerException = null) : base(message, errno, innerException) { }
}
