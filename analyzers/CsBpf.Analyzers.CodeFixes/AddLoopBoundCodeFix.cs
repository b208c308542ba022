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
    /// <summary>
    /// CSBPF0014: gives a loop a counter the verifier can bound — <c>int loopBound = 0;</c> before it and
    /// <c>++loopBound &lt;= 1024 &amp;&amp;</c> in front of its condition — so it ends after at most 1024 iterations.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddLoopBoundCodeFix)), Shared]
    public sealed class AddLoopBoundCodeFix : CodeFixProvider
    {
        /// <summary>The iteration limit the fix writes.</summary>
        public const int Limit = 1024;

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.UnboundedLoop);

        /// <inheritdoc/>
        public override FixAllProvider? GetFixAllProvider() => null;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                SyntaxToken keyword = root.FindToken(diagnostic.Location.SourceSpan.Start);
                if (keyword.Parent is not (WhileStatementSyntax or ForStatementSyntax or DoStatementSyntax) || keyword.Parent.Parent is not BlockSyntax) continue;
                var loop = (StatementSyntax)keyword.Parent;
                context.RegisterCodeFix(CodeAction.Create(
                    $"Stop the loop after {Limit} iterations",
                    token => BoundAsync(context.Document, loop, token),
                    equivalenceKey: nameof(AddLoopBoundCodeFix)), diagnostic);
            }
        }

        private static async Task<Document> BoundAsync(Document document, StatementSyntax loop, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            SemanticModel model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
            string name = FreeName(model, loop);
            ExpressionSyntax guard = SyntaxFactory.ParseExpression($"++{name} <= {Limit}");
            ExpressionSyntax Bounded(ExpressionSyntax? condition) => condition is null
                ? guard
                : SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, guard,
                    condition is BinaryExpressionSyntax or ConditionalExpressionSyntax or AssignmentExpressionSyntax ? SyntaxFactory.ParenthesizedExpression(condition) : condition);
            StatementSyntax bounded = loop switch
            {
                WhileStatementSyntax w => w.WithCondition(Bounded(w.Condition)),
                ForStatementSyntax f => f.WithCondition(Bounded(f.Condition)),
                DoStatementSyntax d => d.WithCondition(Bounded(d.Condition)),
                _ => loop,
            };
            StatementSyntax counter = SyntaxFactory.ParseStatement($"int {name} = 0;")
                .WithLeadingTrivia(loop.GetLeadingTrivia())
                .WithTrailingTrivia(Usings.NewLine(root));
            var block = (BlockSyntax)loop.Parent!;
            int index = block.Statements.IndexOf(loop);
            BlockSyntax newBlock = block.WithStatements(block.Statements.Replace(loop, bounded).Insert(index, counter));
            return document.WithSyntaxRoot(root.ReplaceNode(block, newBlock));
        }

        private static string FreeName(SemanticModel model, SyntaxNode at)
        {
            var taken = model.LookupSymbols(at.SpanStart).Select(s => s.Name).ToImmutableHashSet();
            foreach (SyntaxNode node in at.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault()?.DescendantNodes() ?? Enumerable.Empty<SyntaxNode>())
                if (node is VariableDeclaratorSyntax v) taken = taken.Add(v.Identifier.ValueText);
            string name = "loopBound";
            for (int i = 2; taken.Contains(name); i++) name = "loopBound" + i;
            return name;
        }
    }
}
