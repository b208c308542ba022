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
    /// CSBPF0016 and CSBPF0020: after <c>ref T v = ref Map.GetValueRefOrNullRef(key);</c> (or <c>ctx.GetRef&lt;T&gt;(offset)</c>) inserts
    /// <c>if (Unsafe.IsNullRef(ref v)) return 0;</c> (or the method's default return), the check the verifier
    /// needs before any use of a map value.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddNullCheckCodeFix)), Shared]
    public sealed class AddNullCheckCodeFix : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.MapValueNullCheck, RuleIdentifiers.PacketReferenceNullCheck);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not IdentifierNameSyntax use) continue;
                if (model.GetSymbolInfo(use, context.CancellationToken).Symbol is not ILocalSymbol { RefKind: not RefKind.None } local) continue;
                if (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is not VariableDeclaratorSyntax declarator
                    || declarator.Parent?.Parent is not LocalDeclarationStatementSyntax statement || statement.Parent is not BlockSyntax) continue;
                context.RegisterCodeFix(CodeAction.Create(
                    $"Return early when '{local.Name}' is not in the map",
                    token => AddCheckAsync(context.Document, statement, local.Name, token),
                    equivalenceKey: nameof(AddNullCheckCodeFix)), diagnostic);
            }
        }

        private static async Task<Document> AddCheckAsync(Document document, LocalDeclarationStatementSyntax declaration, string name, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            SemanticModel model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
            ExpressionSyntax? returned = DefaultReturn(model, declaration, cancellationToken);
            StatementSyntax check = SyntaxFactory.ParseStatement(
                $"if (Unsafe.IsNullRef(ref {name})) {(returned is null ? "return;" : "return " + returned + ";")}")
                .WithLeadingTrivia(declaration.GetLeadingTrivia())
                .WithTrailingTrivia(Usings.NewLine(root));
            var block = (BlockSyntax)declaration.Parent!;
            BlockSyntax newBlock = block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(declaration) + 1, check));
            var newRoot = (CompilationUnitSyntax)root.ReplaceNode(block, newBlock);
            newRoot = Usings.Ensure(newRoot, "System.Runtime.CompilerServices");
            return document.WithSyntaxRoot(newRoot);
        }

        /// <summary>What the enclosing method returns on the early exit: 0 for BPF programs (int), default otherwise.</summary>
        private static ExpressionSyntax? DefaultReturn(SemanticModel model, SyntaxNode at, CancellationToken cancellationToken)
        {
            SyntaxNode? member = at.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax);
            if (member is null || model.GetDeclaredSymbol(member, cancellationToken) is not IMethodSymbol method || method.ReturnsVoid) return null;
            // Network programs return an action: let the packet pass when its headers are not all there.
            if (method.ReturnType is INamedTypeSymbol { TypeKind: TypeKind.Enum } action && action.GetMembers("Pass").Length > 0)
                return SyntaxFactory.ParseExpression(action.Name + ".Pass");
            return method.ReturnType.SpecialType switch
            {
                SpecialType.System_Boolean => SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression),
                >= SpecialType.System_SByte and <= SpecialType.System_UInt64 => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(0)),
                _ => SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression, SyntaxFactory.Token(SyntaxKind.DefaultKeyword)),
            };
        }
    }
}
