using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Analyzers.CodeFixes
{
    /// <summary>Adds a using directive when the file does not have it yet; the file's line ending.</summary>
    internal static class Usings
    {
        /// <summary>The end-of-line trivia the file already uses (LF when it has none).</summary>
        public static SyntaxTrivia NewLine(SyntaxNode root)
        {
            foreach (SyntaxTrivia trivia in root.DescendantTrivia())
                if (trivia.IsKind(SyntaxKind.EndOfLineTrivia)) return trivia;
            return SyntaxFactory.EndOfLine("\n");
        }

        public static CompilationUnitSyntax Ensure(CompilationUnitSyntax root, string ns)
        {
            if (root.Usings.Any(u => u.Alias is null && u.StaticKeyword.RawKind == 0 && u.Name?.ToString() == ns)) return root;
            UsingDirectiveSyntax directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(ns)).NormalizeWhitespace()
                .WithTrailingTrivia(NewLine(root));
            return root.WithUsings(root.Usings.Add(directive));
        }
    }
}
