using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Analyzers.Rules;
using CsBpf.Analyzers.Rules.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace CsBpf.Analyzers.CodeFixes
{
    /// <summary>
    /// CSBPF0061: adds the missing <c>Ring.Discard(ref e);</c> (or <c>Ring.Submit(ref e);</c>) where a path leaves
    /// with the record still reserved: before a <c>return</c>, <c>break</c> or <c>continue</c>, at the end of the
    /// record's block, or as the <c>else</c> of an <c>if</c> whose other branch releases it.
    /// </summary>
    /// <remarks>
    /// The places are chosen by the rule's own analysis (<see cref="ReservationFlow"/>), not by the look of the
    /// code: a release is inserted only where the record is held on every path that reaches it (never a second
    /// release, never a release of a null reference), and the fix is offered only when the result is clean —
    /// no path leaks the record and no existing Submit/Discard can run after the inserted one.
    /// </remarks>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseReservationCodeFix)), Shared]
    public sealed class ReleaseReservationCodeFix : CodeFixProvider
    {
        private const string OriginKind = "CsBpf.Reservation";
        private const string LocalKind = "CsBpf.ReservationLocal";
        private const string SiteKind = "CsBpf.ReleaseSite";
        private const string InsertedKind = "CsBpf.InsertedRelease";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.RingBufferReservationNotReleased);

        /// <summary>None: the fixes of two reservations of one method would be checked against each other's absence.</summary>
        public override FixAllProvider? GetFixAllProvider() => null;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } reservation) continue;
                ILocalSymbol? local = (reservation.Parent as RefExpressionSyntax)?.Parent switch
                {
                    EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } => model.GetDeclaredSymbol(declarator, context.CancellationToken) as ILocalSymbol,
                    AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } => model.GetSymbolInfo(target, context.CancellationToken).Symbol as ILocalSymbol,
                    _ => null,
                };
                if (local is null) continue;
                var fix = new Fix(context.Document, root, reservation, local, access.Expression.WithoutTrivia().ToString());
                if (!await fix.PlanAsync(context.CancellationToken).ConfigureAwait(false)) continue;
                foreach (string release in new[] { "Discard", "Submit" })
                {
                    string verb = release == "Discard" ? "Discard" : "Submit";
                    context.RegisterCodeFix(CodeAction.Create(
                        $"{verb} '{local.Name}' on the paths that leave without releasing it",
                        token => Task.FromResult(fix.Apply(release)),
                        equivalenceKey: nameof(ReleaseReservationCodeFix) + release), diagnostic);
                }
            }
        }

        /// <summary>One reservation's fix: the candidate places, and the ones the analysis chose.</summary>
        private sealed class Fix
        {
            private readonly Document _document;
            private readonly SyntaxNode _root;
            private readonly string _map;
            private readonly string _local;
            private readonly List<SyntaxNode> _sites = new List<SyntaxNode>();
            private readonly List<SyntaxNode> _elseSites = new List<SyntaxNode>();
            private HashSet<int> _chosen = new HashSet<int>();

            public Fix(Document document, SyntaxNode root, InvocationExpressionSyntax reservation, ILocalSymbol local, string map)
            {
                _document = document;
                _map = map;
                _local = local.Name;
                SyntaxNode? declaration = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
                // The places where a release of the local compiles: statements of its scope after the reservation,
                // in the same function (not in a nested lambda).
                SyntaxNode? function = Function(reservation);
                var scope = declaration?.Ancestors().FirstOrDefault(a => a is BlockSyntax or SwitchSectionSyntax) as StatementSyntax;
                StatementSyntax? reservingStatement = reservation.Ancestors().OfType<StatementSyntax>().FirstOrDefault();
                if (declaration is null || function is null || scope is null || reservingStatement is null)
                {
                    _root = root;
                    return;
                }
                var sites = new List<SyntaxNode>();
                foreach (StatementSyntax statement in scope.DescendantNodes().OfType<StatementSyntax>())
                {
                    if (statement.SpanStart <= reservingStatement.SpanStart || Function(statement) != function) continue;
                    if (statement is ReturnStatementSyntax ret && !Mentions(ret.Expression, _local)) sites.Add(statement);
                    else if (statement is BreakStatementSyntax or ContinueStatementSyntax) sites.Add(statement);
                    else if (statement is IfStatementSyntax { Else: null } && statement.SpanStart > reservation.SpanStart) sites.Add(statement);
                }
                if (scope is BlockSyntax) sites.Add(scope); // its end, when reachable
                var annotated = root.ReplaceNodes(sites.Append(reservation).Append(declaration), (original, rewritten) =>
                {
                    if (original == reservation) return rewritten.WithAdditionalAnnotations(new SyntaxAnnotation(OriginKind));
                    if (original == declaration) rewritten = rewritten.WithAdditionalAnnotations(new SyntaxAnnotation(LocalKind));
                    int index = sites.IndexOf(original);
                    return index < 0 ? rewritten : rewritten.WithAdditionalAnnotations(new SyntaxAnnotation(SiteKind, index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                });
                _root = annotated;
                foreach (SyntaxNode node in annotated.GetAnnotatedNodes(SiteKind).OrderBy(n => int.Parse(n.GetAnnotations(SiteKind).First().Data!, System.Globalization.CultureInfo.InvariantCulture)))
                    (node is IfStatementSyntax ? _elseSites : _sites).Add(node);
            }

            private static bool Mentions(SyntaxNode? node, string name) =>
                node is not null && node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == name);

            private static SyntaxNode? Function(SyntaxNode node) =>
                node.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax);

            private int Index(SyntaxNode site) => int.Parse(site.GetAnnotations(SiteKind).First().Data!, System.Globalization.CultureInfo.InvariantCulture);

            /// <summary>Chooses the places; false when no clean fix was found.</summary>
            public async Task<bool> PlanAsync(CancellationToken cancellationToken)
            {
                if (_sites.Count == 0 && _elseSites.Count == 0) return false;
                // The releases already in the code that may run with nothing held: the fix must not add any.
                Outcome? baseline = await AnalyzeAsync(new HashSet<int>(), new HashSet<int>(), cancellationToken).ConfigureAwait(false);
                if (baseline is null) return false;

                // Where the record is held on every path (observing probes, which release nothing).
                var all = new HashSet<int>(_sites.Concat(_elseSites).Select(Index));
                Outcome? probe = await AnalyzeAsync(new HashSet<int>(), all, cancellationToken).ConfigureAwait(false);
                if (probe is null) return false;
                // Exits first (returns, then break/continue/the end of the block), then a missing else. Each place is
                // kept only when the result stays sound: every inserted release reached with the record held, no
                // existing Submit/Discard left to run after it. Stop when nothing leaks.
                IEnumerable<int> candidates = _sites.OrderBy(s => s is ReturnStatementSyntax ? 0 : 1).Select(Index)
                    .Concat(_elseSites.Select(Index).Reverse())
                    .Where(probe.HeldEverywhere.Contains);
                var chosen = new HashSet<int>();
                foreach (int site in candidates)
                {
                    var trial = new HashSet<int>(chosen) { site };
                    Outcome? result = await AnalyzeAsync(trial, new HashSet<int>(), cancellationToken).ConfigureAwait(false);
                    if (result is null || !trial.All(result.HeldEverywhere.Contains) || result.UnheldReleases > baseline.UnheldReleases) continue;
                    chosen = trial;
                    if (!result.Leaks)
                    {
                        _chosen = chosen;
                        return true;
                    }
                }
                return false;
            }

            public Document Apply(string release) => _document.WithSyntaxRoot(Insert(_chosen, new HashSet<int>(), release));

            private sealed class Outcome
            {
                public bool Leaks;
                /// <summary>Inserted releases (site indexes) reached only with the record held.</summary>
                public readonly HashSet<int> HeldEverywhere = new HashSet<int>();
                /// <summary>Submit/Discard calls of the local (not inserted ones) that may run with nothing held.</summary>
                public int UnheldReleases;
            }

            /// <summary>Inserts releases at <paramref name="real"/> and observing probes at <paramref name="probes"/>,
            /// and runs the analysis over the result.</summary>
            private async Task<Outcome?> AnalyzeAsync(HashSet<int> real, HashSet<int> probes, CancellationToken cancellationToken)
            {
                SyntaxNode root = Insert(real, probes, "Discard");
                Document document = _document.WithSyntaxRoot(root);
                SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
                SyntaxNode? origin = root.GetAnnotatedNodes(OriginKind).FirstOrDefault();
                if (model is null || origin is null || BpfCodeSymbols.TryCreate(model.Compilation) is not { } symbols) return null;
                if (model.GetDiagnostics(null, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error)) return null;
                SyntaxNode? member = origin.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax);
                ControlFlowGraph? graph = member is null ? null : model.GetOperation(member, cancellationToken) switch
                {
                    IMethodBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                    IBlockOperation block => ControlFlowGraph.Create(block, cancellationToken),
                    _ => null,
                };
                if (graph is null) return null;

                int? Inserted(IInvocationOperation call) =>
                    call.Syntax.Parent is ExpressionStatementSyntax statement && statement.GetAnnotations(InsertedKind).FirstOrDefault() is { } a
                        ? int.Parse(a.Data!, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
                bool IsOrigin(IOperation? op) => op is not null && op.Syntax.HasAnnotations(OriginKind);
                ReservationFlow flow = ReservationFlow.Run(graph, symbols, cancellationToken, neutral: call => Inserted(call) is int i && probes.Contains(i));

                var outcome = new Outcome { Leaks = flow.Leaks.Any(l => IsOrigin(l.Origin)) };
                foreach (KeyValuePair<IInvocationOperation, HashSet<IOperation?>> entry in flow.CallStates)
                {
                    if (Inserted(entry.Key) is int site)
                    {
                        if (entry.Value.Count > 0 && entry.Value.All(IsOrigin)) outcome.HeldEverywhere.Add(site);
                    }
                    else if (symbols.MapOperationOf(entry.Key.TargetMethod) is 9 or 10 // RingBufferSubmit, RingBufferDiscard
                             && entry.Value.Contains(null)
                             && entry.Key.Arguments.Any(a => a.Value is ILocalReferenceOperation l && l.Local.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken).HasAnnotations(LocalKind))))
                        outcome.UnheldReleases++;
                }
                return outcome;
            }

            /// <summary>The document with <c>map.release(ref local);</c> at the given sites.</summary>
            private SyntaxNode Insert(HashSet<int> real, HashSet<int> probes, string release)
            {
                var wanted = new HashSet<int>(real.Concat(probes));
                var targets = _root.GetAnnotatedNodes(SiteKind).Where(n => wanted.Contains(Index(n))).ToList();
                if (targets.Count == 0) return _root;
                StatementSyntax Release(int site) => SyntaxFactory.ParseStatement($"{_map}.{release}(ref {_local});")
                    .WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker)
                    .WithAdditionalAnnotations(Formatter.Annotation, new SyntaxAnnotation(InsertedKind, site.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                // Blocks whose statements get a release in front, or at their end.
                var blocks = new HashSet<SyntaxNode>(targets.Where(t => t is not IfStatementSyntax && t.Parent is BlockSyntax).Select(t => t.Parent!)
                    .Concat(targets.Where(t => t is BlockSyntax)));
                return _root.ReplaceNodes(targets.Concat(blocks).Distinct(), (original, rewritten) =>
                {
                    int site = wanted.Contains(Index0(original)) ? Index0(original) : -1;
                    switch (rewritten)
                    {
                        case BlockSyntax block when blocks.Contains(original):
                        {
                            var statements = new List<StatementSyntax>();
                            foreach (StatementSyntax s in block.Statements)
                            {
                                if (s is not IfStatementSyntax && s.GetAnnotations(SiteKind).FirstOrDefault() is { } a && wanted.Contains(int.Parse(a.Data!, System.Globalization.CultureInfo.InvariantCulture))
                                    && s is not BlockSyntax)
                                    statements.Add(Release(int.Parse(a.Data!, System.Globalization.CultureInfo.InvariantCulture)));
                                statements.Add(s);
                            }
                            if (site >= 0 && (statements.Count == 0 || statements[statements.Count - 1] is not (ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or ThrowStatementSyntax)))
                                statements.Add(Release(site));
                            return block.WithStatements(SyntaxFactory.List(statements));
                        }
                        case IfStatementSyntax ifStatement when site >= 0:
                            // The closing brace ends the line as the if did (elastic trivia there would get a blank line after it).
                            BlockSyntax elseBlock = SyntaxFactory.Block(Release(site));
                            elseBlock = elseBlock.WithCloseBraceToken(elseBlock.CloseBraceToken.WithTrailingTrivia(ifStatement.GetTrailingTrivia()));
                            return ifStatement.WithElse(SyntaxFactory.ElseClause(elseBlock)).WithAdditionalAnnotations(Formatter.Annotation);
                        case StatementSyntax jump when site >= 0 && original.Parent is not BlockSyntax:
                            return SyntaxFactory.Block(Release(site), jump.WithoutTrivia())
                                .WithLeadingTrivia(jump.GetLeadingTrivia()).WithTrailingTrivia(jump.GetTrailingTrivia())
                                .WithAdditionalAnnotations(Formatter.Annotation);
                        default:
                            return rewritten;
                    }
                });
            }

            private static int Index0(SyntaxNode node) =>
                node.GetAnnotations(SiteKind).FirstOrDefault() is { } a ? int.Parse(a.Data!, System.Globalization.CultureInfo.InvariantCulture) : -1;
        }
    }
}
