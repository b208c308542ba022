using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Analyzers.CodeFixes
{
    /// <summary>
    /// CSBPF1150 on a struct with auto layout: makes it <c>LayoutKind.Sequential</c> (and drops any
    /// <c>[FieldOffset]</c>s), a layout the compiler and the CLR agree on byte for byte.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseSequentialLayoutCodeFix)), Shared]
    public sealed class UseSequentialLayoutCodeFix : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.InvalidMapKeyOrValue);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.ContainsKey(DeclarationAnalyzer.LayoutProperty) || diagnostic.AdditionalLocations.Count == 0) continue;
                Location structLocation = diagnostic.AdditionalLocations[0];
                Document? document = context.Document.Project.Solution.GetDocument(structLocation.SourceTree);
                if (document is null) continue;
                context.RegisterCodeFix(CodeAction.Create("Use sequential layout",
                    token => FixAsync(document, structLocation, token), equivalenceKey: nameof(UseSequentialLayoutCodeFix)), diagnostic);
            }
            return Task.CompletedTask;
        }

        private static async Task<Solution> FixAsync(Document document, Location structLocation, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            if (root.FindNode(structLocation.SourceSpan) is not StructDeclarationSyntax declaration) return document.Project.Solution;
            StructDeclarationSyntax updated = declaration.ReplaceNodes(
                declaration.DescendantNodes().OfType<AttributeListSyntax>(),
                (original, _) => Rewrite(original));
            updated = updated.WithAttributeLists(SyntaxFactory.List(updated.AttributeLists.Where(l => l.Attributes.Count > 0)));
            updated = updated.WithMembers(SyntaxFactory.List(updated.Members.Select(m =>
            {
                if (m.AttributeLists.All(l => l.Attributes.Count > 0)) return m;
                // The removed list carried the member's indentation.
                SyntaxTriviaList indentation = m.AttributeLists[0].GetLeadingTrivia();
                MemberDeclarationSyntax kept = m.WithAttributeLists(SyntaxFactory.List(m.AttributeLists.Where(l => l.Attributes.Count > 0)));
                return kept.AttributeLists.Count == 0 ? kept.WithLeadingTrivia(indentation) : kept;
            })));
            return document.WithSyntaxRoot(root.ReplaceNode(declaration, updated)).Project.Solution;
        }

        /// <summary>LayoutKind.Explicit/Auto becomes Sequential; [FieldOffset] attributes go.</summary>
        private static AttributeListSyntax Rewrite(AttributeListSyntax list)
        {
            var attributes = list.Attributes.Where(a => !IsNamed(a, "FieldOffset")).Select(a =>
            {
                if (!IsNamed(a, "StructLayout") || a.ArgumentList is null || a.ArgumentList.Arguments.Count == 0) return a;
                AttributeArgumentSyntax kind = a.ArgumentList.Arguments[0];
                if (kind.Expression is not MemberAccessExpressionSyntax member) return a;
                return a.ReplaceNode(kind, kind.WithExpression(member.WithName(SyntaxFactory.IdentifierName("Sequential"))));
            });
            return list.WithAttributes(SyntaxFactory.SeparatedList(attributes));
        }

        private static bool IsNamed(AttributeSyntax attribute, string name)
        {
            string text = attribute.Name is QualifiedNameSyntax q ? q.Right.Identifier.ValueText : attribute.Name.ToString();
            return text == name || text == name + "Attribute";
        }
    }
}
