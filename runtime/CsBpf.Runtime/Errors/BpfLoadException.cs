namespace CsBpf.Runtime;

/// <summary>
/// <see cref="BpfObject.Load"/> failed for a reason other than missing privileges, usually because the kernel
/// verifier rejected a program. The message starts with a one-line summary (program, errno and the verifier's
/// last meaningful line) followed by the full verifier log.
/// </summary>
public class BpfLoadException : BpfException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One-line summary, then the full verifier log (if any).</param>
    /// <param name="programName">The program the kernel rejected, or null when the failure is not tied to one.</param>
    /// <param name="verifierLog">The raw kernel verifier log (empty when there is none).</param>
    /// <param name="errno">The positive errno of the failure.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BpfLoadException(string message, string? programName, string verifierLog, int errno, Exception? innerException = null)
        : base(message, errno, innerException)
    {
        ProgramName = programName;
        VerifierLog = verifierLog;
    }

    /// <summary>The rejected program (its C/ELF function name), or null when the failure is object-wide (maps, BTF, relocations).</summary>
    public string? ProgramName { get; }

    /// <summary>The raw kernel verifier log of <see cref="ProgramName"/> (log level 1), unmodified; empty when there is none.</summary>
    public string VerifierLog { get; }
}
