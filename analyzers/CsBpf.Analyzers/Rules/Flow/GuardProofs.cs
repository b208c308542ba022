using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Rules.Flow
{
    /// <summary>
    /// The divisions the flow analysis proved safe (CSBPF0017: the divisor is never zero; CSBPF0018: never -1
    /// with a MinValue dividend) in its reporting pass, per analysed compilation. The compiler emits its own
    /// guards for these and lets LLVM prove them; LLVM's range reasoning is weaker than this analysis in places
    /// (a test <c>d != 0 &amp;&amp; d != -1</c> on <c>d = x % k + c</c> becomes a bit mask LVI cannot relate to
    /// <c>d == -1</c>), and then it asks this record before refusing code the rule set accepted: one rule set,
    /// so "analyzer-clean" means "the compiler accepts it". Kept per syntax tree (the analyzer driver analyses a
    /// copy of the compilation, with the same trees); the compiler forgets a compilation's trees before running
    /// the rule set, so what it reads is this run's analysis.
    /// </summary>
    public static class GuardProofs
    {
        private static readonly ConditionalWeakTable<SyntaxTree, ConcurrentDictionary<(int Start, int Length, string Rule), bool>> s_proofs =
            new ConditionalWeakTable<SyntaxTree, ConcurrentDictionary<(int, int, string), bool>>();

        /// <summary>Records a visit of the check for <paramref name="rule"/> at <paramref name="syntax"/>: proven
        /// when every visit of the reporting pass proved it (a block may be analysed in several states).</summary>
        internal static void Record(SyntaxNode syntax, string rule, bool proven)
        {
            var proofs = s_proofs.GetValue(syntax.SyntaxTree, _ => new ConcurrentDictionary<(int, int, string), bool>());
            proofs.AddOrUpdate((syntax.SpanStart, syntax.Span.Length, rule), proven, (_, was) => was && proven);
        }

        /// <summary>Forgets what earlier analyses proved in the trees of <paramref name="compilation"/>.</summary>
        public static void Forget(Compilation compilation)
        {
            foreach (SyntaxTree tree in compilation.SyntaxTrees) s_proofs.Remove(tree);
        }

        /// <summary>The sites proved in the trees of <paramref name="compilation"/>, as (tree, start, length, rule ID).</summary>
        public static IReadOnlyCollection<(SyntaxTree Tree, int Start, int Length, string Rule)> Proven(Compilation compilation)
        {
            var result = new List<(SyntaxTree, int, int, string)>();
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
                if (s_proofs.TryGetValue(tree, out var proofs))
                    foreach (var pair in proofs)
                        if (pair.Value) result.Add((tree, pair.Key.Start, pair.Key.Length, pair.Key.Rule));
            return result;
        }
    }
}
