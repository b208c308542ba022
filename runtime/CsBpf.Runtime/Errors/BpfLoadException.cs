namespace CsBpf.Runtime;

/// <summary>
/// <see cref="BpfObject.Load"/> failed for a reason other than missing privileges, usually because the kernel
/// verifier rejected a program. The message starts with a one-line summary (program, source location when the
/// program has line info, errno and the verifier's verdict) followed by the verifier log, whose instruction
/// lines are annotated with their source <c>file:line</c>.
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
        AnnotatedVerifierLog = verifierLog;
    }

    /// <summary>The rejected program (its C/ELF function name), or null when the failure is object-wide (maps, BTF, relocations).</summary>
    public string? ProgramName { get; }

    /// <summary>The raw kernel verifier log of <see cref="ProgramName"/> (log level 1), unmodified; empty when there is none.</summary>
    public string VerifierLog { get; }

    /// <summary>
    /// <see cref="VerifierLog"/> with each instruction line suffixed by <c>@ file:line</c>, the source line the
    /// instruction was compiled from (from the program's BTF line info; for the CsBpf compiler's output, the .cs
    /// file). Equal to <see cref="VerifierLog"/> when the program has no line info.
    /// </summary>
    public string AnnotatedVerifierLog { get; init; }

    /// <summary>The source file of the instruction the verifier rejected (base name, as recorded in the line info), or null without line info.</summary>
    public string? SourceFile { get; init; }

    /// <summary>The 1-based source line of the rejected instruction, or null without line info.</summary>
    public int? SourceLine { get; init; }

    /// <summary>The text of that source line as the line info recorded it, or null.</summary>
    public string? SourceText { get; init; }

    /// <summary>The index of the rejected instruction in the program, or null when the log names none.</summary>
    public int? FailedInstruction { get; init; }
}
