using System.Collections.Immutable;

namespace CsBpf.Analyzers.Rules
{
    /// <summary>
    /// What the compiler lowers, in one place, for the rules that must refuse exactly what the compiler refuses
    /// (UnsupportedConstructAnalyzer): "analyzer-clean" means "the compiler accepts it". When the compiler learns
    /// a construct, flip or extend the entry here (and update the tests that pin the refusal); the analyzers
    /// then accept it everywhere at once.
    /// </summary>
    internal static class LanguageSupport
    {
        /// <summary>Members of <c>System.Runtime.CompilerServices.Unsafe</c> the compiler lowers
        /// (compiler/Lowering/FunctionLowering.Unsafe.cs and .Calls.cs). <c>As</c> only in its
        /// <c>ref TFrom → ref TTo</c> form; block copies and fills need constant sizes.</summary>
        public static readonly ImmutableHashSet<string> UnsafeMembers = ImmutableHashSet.Create(
            "IsNullRef", "NullRef", "SizeOf", "Add", "Subtract", "AddByteOffset", "SubtractByteOffset", "ByteOffset",
            "AreSame", "IsAddressGreaterThan", "IsAddressGreaterThanOrEqualTo", "IsAddressLessThan", "IsAddressLessThanOrEqualTo",
            "As", "AsRef", "AsPointer", "Read", "ReadUnaligned", "Write", "WriteUnaligned", "Copy",
            "CopyBlock", "CopyBlockUnaligned", "InitBlock", "InitBlockUnaligned", "SkipInit", "BitCast");

        /// <summary>Methods of <c>Span&lt;T&gt;</c>/<c>ReadOnlySpan&lt;T&gt;</c> the compiler lowers
        /// (FunctionLowering.SpanSlices.cs); the indexer and <c>Length</c> are properties.</summary>
        public static readonly ImmutableHashSet<string> SpanMethods = ImmutableHashSet.Create("Slice");
    }
}
