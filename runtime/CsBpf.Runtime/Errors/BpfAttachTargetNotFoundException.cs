namespace CsBpf.Runtime;

/// <summary>
/// The attach target does not exist on this system: a tracepoint that is not in tracefs, a cgroup directory
/// or a network interface that is missing, or a kernel function the kernel does not have (ENOENT). The message
/// names the target and where to look for valid ones.
/// </summary>
public class BpfAttachTargetNotFoundException : BpfAttachException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The missing target and how to find valid ones.</param>
    /// <param name="programName">The program being attached.</param>
    /// <param name="target">The target that does not exist.</param>
    /// <param name="errno">Usually ENOENT (2) or ENODEV (19).</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BpfAttachTargetNotFoundException(string message, string programName, string target, int errno, Exception? innerException = null)
        : base(message, programName, target, errno, innerException) { }
}
