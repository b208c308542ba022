namespace CsBpf.Runtime;

/// <summary>A loaded program could not be attached: unknown target (e.g. a tracepoint that does not exist), tracefs missing, or a section libbpf cannot auto-attach.</summary>
public class BpfAttachException : BpfException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Cause and fix.</param>
    /// <param name="programName">The program being attached.</param>
    /// <param name="target">The attach target (e.g. <c>syscalls/sys_enter_openat</c>), or the section name when unknown.</param>
    /// <param name="errno">The positive errno of the failure, or 0.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BpfAttachException(string message, string programName, string target, int errno, Exception? innerException = null)
        : base(message, errno, innerException)
    {
        ProgramName = programName;
        Target = target;
    }

    /// <summary>The program being attached.</summary>
    public string ProgramName { get; }

    /// <summary>The attach target (e.g. <c>syscalls/sys_enter_openat</c>), or the section name when no specific target is known.</summary>
    public string Target { get; }
}
