using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Cli;

/// <summary>Prints diagnostics in MSBuild's canonical format, which the <c>Exec</c> task and IDEs turn into
/// real errors and warnings: <c>path(line,col): error CSBPF1001: message</c>, or
/// <c>csbpfc: error CSBPF3001: message</c> without a source location.</summary>
public static class CanonicalDiagnosticFormatter
{
    /// <summary>The origin printed for diagnostics without a source location.</summary>
    public const string ToolName = "csbpfc";

    /// <summary>The canonical line of <paramref name="diagnostic"/>, or null for hidden diagnostics.</summary>
    public static string? Format(Diagnostic diagnostic)
    {
        string? category = diagnostic.Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            DiagnosticSeverity.Info => "info",
            _ => null,
        };
        if (category is null) return null;

        string message = OneLine(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        if (diagnostic.Location.IsInSource || diagnostic.Location.Kind == LocationKind.ExternalFile)
        {
            var span = diagnostic.Location.GetMappedLineSpan();
            if (!span.IsValid || string.IsNullOrEmpty(span.Path)) span = diagnostic.Location.GetLineSpan();
            if (span.IsValid && !string.IsNullOrEmpty(span.Path))
            {
                var start = span.StartLinePosition;
                return $"{span.Path}({start.Line + 1},{start.Character + 1}): {category} {diagnostic.Id}: {message}";
            }
        }
        return Format(category, diagnostic.Id, message);
    }

    /// <summary>A location-less line: <c>csbpfc: error ID: message</c>.</summary>
    public static string Format(string category, string id, string message) =>
        $"{ToolName}: {category} {id}: {OneLine(message)}";

    private static string OneLine(string message) =>
        message.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ');
}
