using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CsBpf.Analyzers.CodeFixes
{
    /// <summary>CSBPF1004: writes <c>License = "GPL"</c> (or "Dual MIT/GPL") into the <c>[BpfProgram]</c> attribute.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SetLicenseCodeFix)), Shared]
    public sealed class SetLicenseCodeFix : CodeFixProvider
    {
        private static readonly string[] s_licenses = { "GPL", "Dual MIT/GPL" };

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.MissingLicense);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (root?.FindNode(diagnostic.Location.SourceSpan) is not { } node || node.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault() is not { } attribute) continue;
                foreach (string license in s_licenses)
                    context.RegisterCodeFix(CodeAction.Create($"Set the license to \"{license}\"",
                        token => SetAsync(context.Document, attribute, license, token), equivalenceKey: nameof(SetLicenseCodeFix) + license), diagnostic);
            }
        }

        private static async Task<Document> SetAsync(Document document, AttributeSyntax attribute, string license, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            LiteralExpressionSyntax value = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(license));
            AttributeArgumentSyntax? existing = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "License");
            AttributeSyntax updated = existing is not null
                ? attribute.ReplaceNode(existing, existing.WithExpression(value))
                : attribute.AddArgumentListArguments(SyntaxFactory.AttributeArgument(value)
                    .WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("License"))));
            return document.WithSyntaxRoot(root.ReplaceNode(attribute, updated.NormalizeWhitespace()));
        }
    }
}
