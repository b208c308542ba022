using System.Text.RegularExpressions;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Builds the runtime's exceptions. Kept free of native calls (apart from describing libbpf's own error codes)
/// so the classification can be unit-tested with synthetic inputs.
/// </summary>
internal static class BpfErrors
{
    /// <summary>The fix quoted in every privilege failure.</summary>
    internal const string PrivilegeRequirement =
        "Loading BPF programs needs root or CAP_BPF + CAP_PERFMON (Linux ≥ 5.8)";

    /// <summary>
    /// Classifies a failed <c>bpf_object__load</c>. A non-empty verifier log means the verifier rejected the
    /// program (even with EACCES/EPERM, which the verifier also returns); otherwise EPERM/EACCES means the
    /// bpf(2) call itself was denied, i.e. privileges; a feature the kernel lacks (found by the caller's probes
    /// or by the verifier's "unknown helper" verdict) is <see cref="BpfNotSupportedException"/>; anything else is
    /// a generic load failure.
    /// </summary>
    /// <param name="objectName">The object's name, for the message.</param>
    /// <param name="errno">The positive errno returned by <c>bpf_object__load</c>.</param>
    /// <param name="programName">The program that failed, when known.</param>
    /// <param name="verifierLog">That program's verifier log (empty when the kernel produced none).</param>
    /// <param name="libbpfLog">libbpf's warnings printed during the load.</param>
    /// <param name="privileges">The process's privileges, to make a permission message accurate.</param>
    /// <param name="unsupportedFeature">What the caller's kernel probes found missing (e.g. "map 'm' has type 99, which this kernel does not support"), or null.</param>
    public static BpfException LoadFailure(string objectName, int errno, string? programName, string verifierLog, string libbpfLog, Privileges privileges, string? unsupportedFeature = null)
    {
        if (!string.IsNullOrWhiteSpace(verifierLog))
        {
            var verdict = VerifierLogAnalysis.Analyze(verifierLog);
            var at = verdict.SourceFile is null ? "" : $" at {verdict.SourceFile}:{verdict.SourceLine}";
            var summary = $"The kernel verifier rejected program '{programName ?? "(unknown)"}'{at} ({Errno.Name(errno)}): {verdict.Message}";
            var source = verdict.SourceText is null ? "" : $"\n  {verdict.SourceFile}:{verdict.SourceLine}: {verdict.SourceText}";
            var load = new BpfLoadException(summary + source + "\n" + verdict.AnnotatedLog, programName, verifierLog, errno)
            {
                AnnotatedVerifierLog = verdict.AnnotatedLog,
                SourceFile = verdict.SourceFile,
                SourceLine = verdict.SourceLine,
                SourceText = verdict.SourceText,
                FailedInstruction = verdict.Instruction,
            };
            unsupportedFeature ??= UnknownHelper(verifierLog);
            return unsupportedFeature is null
                ? load
                : new BpfNotSupportedException(
                    $"Program '{programName ?? "(unknown)"}' of BPF object '{objectName}' cannot be loaded on this kernel ({Linux()}): {unsupportedFeature}{at}. " +
                    "Use a newer kernel or avoid the feature; the verifier's report is the inner exception.", errno, load);
        }
        if (unsupportedFeature is not null)
            return new BpfNotSupportedException(
                $"BPF object '{objectName}' cannot be loaded on this kernel ({Linux()}): {unsupportedFeature} ({Errno.Describe(errno)}). Use a newer kernel or avoid the feature." + LibBpfSuffix(libbpfLog),
                errno, new BpfLoadException($"Loading BPF object '{objectName}' failed ({Errno.Describe(errno)}).", programName, "", errno));
        if (errno is Errno.EPERM or Errno.EACCES)
            return new BpfPermissionException(Permission($"Loading BPF object '{objectName}'", errno, privileges) + LibBpfSuffix(libbpfLog), errno);

        var where = programName is null ? "" : $" at program '{programName}'";
        var cause = LastLine(libbpfLog) is { } line ? ": " + line : "";
        return new BpfLoadException(
            $"Loading BPF object '{objectName}' failed{where} ({Errno.Describe(errno)}){cause}. {LoadHint(errno)}" + LibBpfSuffix(libbpfLog),
            programName, "", errno);
    }

    /// <summary>
    /// The verifier's verdict: the last line that is not the statistics trailer ("processed N insns ...",
    /// "verification time ...", "stack depth ...") nor a source-line annotation ("; ...").
    /// </summary>
    public static string LastMeaningfulLine(string verifierLog) => VerifierLogAnalysis.LastMeaningfulLine(verifierLog);

    /// <summary>
    /// "it calls BPF helper #N, which this kernel does not provide" when the verifier rejected a call to a helper
    /// it does not know (<c>invalid func unknown#N</c>), or one it has but not for this program type
    /// (<c>unknown func name#N</c>).
    /// </summary>
    internal static string? UnknownHelper(string verifierLog)
    {
        var match = Regex.Match(verifierLog, @"(?:invalid func unknown#|unknown func (?<name>\w+)#)(?<id>\d+)");
        if (!match.Success) return null;
        return match.Groups["name"].Success
            ? $"it calls BPF helper {match.Groups["name"].Value} (#{match.Groups["id"].Value}), which this kernel does not provide for this program type"
            : $"it calls BPF helper #{match.Groups["id"].Value}, which this kernel does not provide";
    }

    /// <summary>"Linux 6.1.0" for messages.</summary>
    private static string Linux() => "Linux " + Environment.OSVersion.Version;

    /// <summary>"<paramref name="action"/> was denied (EPERM): ..." with the fix that fits the process's privileges.</summary>
    public static string Permission(string action, int errno, Privileges privileges)
    {
        var exe = Environment.ProcessPath ?? "<your executable>";
        if (!privileges.CanLoadTracing)
            return $"{action} was denied ({Errno.Name(errno)}): {PrivilegeRequirement}; run as root or grant the capabilities " +
                   $"(setcap cap_bpf,cap_perfmon+ep {exe}). This process runs as {privileges.Describe()}.";
        return $"{action} was denied ({Errno.Name(errno)}) although this process runs as {privileges.Describe()}. " +
               $"{PrivilegeRequirement}, which this process has, so something else denies bpf(2): check kernel lockdown " +
               "(cat /sys/kernel/security/lockdown), the LSM policy (SELinux, AppArmor), a container's seccomp profile or " +
               "missing capabilities (run the container with --privileged, or --cap-add BPF --cap-add PERFMON), and on " +
               "kernels older than 5.11 the locked-memory limit (ulimit -l unlimited).";
    }

    /// <summary>The tracepoint directory does not exist in tracefs.</summary>
    public static BpfAttachTargetNotFoundException TracepointMissing(string programName, string category, string name, string eventsDirectory) =>
        new($"Tracepoint '{category}/{name}' does not exist: no {eventsDirectory}/{category}/{name} " +
            $"(list them with `ls {eventsDirectory}`). Program '{programName}' cannot be attached to it: fix the " +
            "tracepoint name in the program's section (SEC(\"tracepoint/<category>/<name>\")) or in AttachTracepoint.",
            programName, $"{category}/{name}", Errno.ENOENT);

    /// <summary>Neither tracefs location exists (and mounting it, when tried, failed).</summary>
    public static BpfAttachException TracefsMissing(string programName, string target, string? mountFailure) =>
        new($"Cannot attach program '{programName}' to tracepoint '{target}': tracefs is not mounted (neither " +
            $"{Tracefs.EventsDirectory} nor {Tracefs.DebugfsEventsDirectory} exists). Mount it as root with " +
            $"`mount -t tracefs tracefs {Tracefs.MountPoint}`" + (mountFailure is null ? "." : $" (mounting it automatically failed: {mountFailure})."),
            programName, target, Errno.ENOENT);

    /// <summary>Classifies a NULL returned by <c>bpf_program__attach*</c>.</summary>
    /// <param name="programName">The program.</param>
    /// <param name="sectionName">Its ELF section, from which libbpf derives auto-attach targets.</param>
    /// <param name="target">The explicit target (<c>category/name</c>), or null for auto-attach.</param>
    /// <param name="errno">errno after the call.</param>
    /// <param name="libbpfLog">libbpf's warnings printed during the call.</param>
    /// <param name="privileges">The process's privileges.</param>
    public static BpfException AttachFailure(string programName, string sectionName, string? target, int errno, string libbpfLog, Privileges privileges)
    {
        var what = target is null ? $"Attaching program '{programName}' (section '{sectionName}')" : $"Attaching program '{programName}' to '{target}'";
        if (errno is Errno.EPERM or Errno.EACCES)
            return new BpfPermissionException(Permission(what, errno, privileges) + LibBpfSuffix(libbpfLog), errno);
        if (target is null && errno is Errno.EOPNOTSUPP or Errno.ESRCH)
            return new BpfAttachException(
                $"Program '{programName}' cannot be attached automatically: libbpf derives the attach target from the section " +
                $"name, and section '{sectionName}' names none it can attach to ({Errno.Name(errno)}). Give the section a full " +
                "target (e.g. SEC(\"tracepoint/<category>/<name>\")) or call AttachTracepoint(category, name)." + LibBpfSuffix(libbpfLog),
                programName, sectionName, errno);
        var cause = LastLine(libbpfLog) is { } line ? ": " + line : "";
        if (errno == Errno.ENOENT)
            return new BpfAttachTargetNotFoundException(
                $"{what} failed ({Errno.Describe(errno)}){cause}. The attach target does not exist on this kernel: check its name." + LibBpfSuffix(libbpfLog),
                programName, target ?? sectionName, errno);
        return new BpfAttachException($"{what} failed ({Errno.Describe(errno)}){cause}." + LibBpfSuffix(libbpfLog),
            programName, target ?? sectionName, errno);
    }

    private static string LoadHint(int errno) => errno switch
    {
        Errno.E2BIG or 4008 => "The program is too large for the kernel: split it or reduce loop bounds.",
        Errno.EOPNOTSUPP or Errno.ENOTSUPP or 4010 => "This kernel does not support a feature the object uses (program type, map type or helper).",
        Errno.ESRCH or Errno.ENOENT => "A kernel type, function or BTF the object refers to was not found on this kernel; libbpf's messages below name it.",
        _ => "libbpf's messages below say which map or program failed.",
    };

    private static string? LastLine(string log)
    {
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? null : lines[^1];
    }

    private static string LibBpfSuffix(string libbpfLog) =>
        string.IsNullOrWhiteSpace(libbpfLog) ? "" : "\nlibbpf said:\n" + libbpfLog.TrimEnd();
}
