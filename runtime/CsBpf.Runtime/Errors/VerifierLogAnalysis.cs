using System.Text;
using System.Text.RegularExpressions;

namespace CsBpf.Runtime;

/// <summary>
/// Reads a kernel verifier log. When the program carries BTF line info (clang -g, or the CsBpf compiler, whose
/// line info points at the .cs sources), the verifier prints a source annotation before the instructions of
/// each source line (<c>verbose_linfo</c> in kernel/bpf/verifier.c): <c>; &lt;source text&gt; @ &lt;file&gt;:&lt;line&gt;</c>,
/// the file being the base name the line info records. Instruction lines look like <c>16: (79) r1 = *(u64 *)(r6 +0)</c>.
/// Annotations apply to the instruction lines after them; because the verifier explores branches and may not
/// repeat an annotation when it jumps, each instruction index is mapped to the annotation under which it first
/// appears.
/// </summary>
internal static partial class VerifierLogAnalysis
{
    /// <summary>What the log says about the rejection.</summary>
    /// <param name="Message">The verifier's verdict (its last meaningful line).</param>
    /// <param name="Instruction">The index of the instruction being verified when it failed, if any.</param>
    /// <param name="SourceFile">The source file of that instruction (as recorded in the line info), if known.</param>
    /// <param name="SourceLine">Its line number, if known.</param>
    /// <param name="SourceText">The source line's text, if known.</param>
    /// <param name="AnnotatedLog">The log with every instruction line suffixed by <c>@ file:line</c> (the log itself when it has no line info).</param>
    public sealed record Verdict(string Message, int? Instruction, string? SourceFile, int? SourceLine, string? SourceText, string AnnotatedLog);

    /// <summary>Analyses <paramref name="log"/>.</summary>
    public static Verdict Analyze(string log)
    {
        var lines = log.Split('\n');
        var verdictIndex = LastMeaningfulLineIndex(lines);
        var message = verdictIndex < 0 ? "(the verifier log has no message)" : lines[verdictIndex].Trim();

        // Pass 1: the source annotation each instruction index first appears under.
        var locations = new Dictionary<int, (string File, int Line, string Text)>();
        (string File, int Line, string Text)? current = null;
        foreach (var line in lines)
        {
            if (SourceAnnotation().Match(line) is { Success: true } source)
                current = (source.Groups["file"].Value, int.Parse(source.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), source.Groups["text"].Value.Trim());
            else if (current is { } location && InstructionLine().Match(line) is { Success: true } insn)
                locations.TryAdd(int.Parse(insn.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture), location);
        }

        // The failing instruction: the last instruction line before the verdict.
        int? failed = null;
        for (var i = (verdictIndex < 0 ? lines.Length : verdictIndex) - 1; i >= 0; i--)
            if (InstructionLine().Match(lines[i]) is { Success: true } insn)
            {
                failed = int.Parse(insn.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            }

        (string File, int Line, string Text)? where = failed is { } index && locations.TryGetValue(index, out var found) ? found : null;
        return new Verdict(message, failed, where?.File, where?.Line, where?.Text, Annotate(lines, locations));
    }

    /// <summary>The verdict line: the last one that is not the statistics trailer nor a source annotation.</summary>
    public static string LastMeaningfulLine(string log)
    {
        var lines = log.Split('\n');
        var index = LastMeaningfulLineIndex(lines);
        return index < 0 ? "(the verifier log has no message)" : lines[index].Trim();
    }

    private static int LastMeaningfulLineIndex(string[] lines)
    {
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("processed ", StringComparison.Ordinal) ||
                line.StartsWith("verification time", StringComparison.Ordinal) ||
                line.StartsWith("stack depth", StringComparison.Ordinal) ||
                line.StartsWith("-- ", StringComparison.Ordinal) || line.StartsWith(';'))
                continue;
            return i;
        }
        return -1;
    }

    private static string Annotate(string[] lines, Dictionary<int, (string File, int Line, string Text)> locations)
    {
        if (locations.Count == 0) return string.Join('\n', lines);
        var builder = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0) builder.Append('\n');
            builder.Append(lines[i]);
            if (InstructionLine().Match(lines[i]) is { Success: true } insn &&
                locations.TryGetValue(int.Parse(insn.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture), out var location))
                builder.Append("  @ ").Append(location.File).Append(':').Append(location.Line);
        }
        return builder.ToString();
    }

    /// <summary><c>; __u64 *value = bpf_map_lookup_elem(&amp;values, &amp;key); @ prog.bpf.c:18</c></summary>
    [GeneratedRegex(@"^;\s?(?<text>.*) @ (?<file>[^\s@:][^@:]*):(?<line>\d+)\s*$")]
    private static partial Regex SourceAnnotation();

    /// <summary><c>16: (79) r1 = *(u64 *)(r6 +0)</c> (not the register-state lines <c>2: R1=0 ...</c>).</summary>
    [GeneratedRegex(@"^(?<index>\d+): \([0-9a-f]{2}\)")]
    private static partial Regex InstructionLine();
}
