using System.Text;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Diagnostics
{
    /// <summary>
    /// How diagnostics quote source code, shared by the analyzers and the compiler so the same code gets the same
    /// message from both.
    /// </summary>
    public static class DiagnosticText
    {
        private const int MaxLength = 60;

        /// <summary>The source text of <paramref name="syntax"/> on one line (whitespace runs collapsed), cut
        /// to about 60 characters.</summary>
        public static string Snippet(SyntaxNode syntax) => Snippet(syntax.ToString());

        /// <summary>The source text at <paramref name="location"/>, as <see cref="Snippet(SyntaxNode)"/> quotes it.</summary>
        public static string Snippet(Location location) =>
            location.SourceTree is { } tree ? Snippet(tree.GetText().ToString(location.SourceSpan)) : "";

        private static string Snippet(string text)
        {
            var sb = new StringBuilder(text.Length);
            bool space = false;
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = sb.Length > 0;
                    continue;
                }
                if (space) sb.Append(' ');
                space = false;
                sb.Append(c);
            }
            return sb.Length <= MaxLength ? sb.ToString() : sb.ToString(0, MaxLength - 3) + "...";
        }
    }
}
