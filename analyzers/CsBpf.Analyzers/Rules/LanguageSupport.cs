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

        // Constructs another branch (wt-lang2) is adding to the compiler. While false, the analyzers refuse them
        // with the compiler's current ID and message; set to true in the merge that makes the compiler lower them.

        /// <summary><c>new S()</c>, <c>new S(args)</c>, <c>new S { F = v }</c> of a struct (the compiler refuses
        /// them today as "'new S()' (ObjectCreation)").</summary>
        public static readonly bool StructCreation = false;

        /// <summary>Discards: <c>_ = M();</c>, <c>out _</c> (refused today as "'_' (Discard)").</summary>
        public static readonly bool Discards = false;

        /// <summary>Tuples and deconstruction: <c>(a, b)</c>, <c>var (x, y) = t;</c> (refused today as
        /// "'(a, b)' (Tuple)" / "(DeconstructionAssignment)").</summary>
        public static readonly bool Tuples = false;

        /// <summary>Instance methods and properties of user structs: refused today as calls to methods that are not
        /// BPF code (CSBPF1003), by UnsupportedConstructAnalyzer.CheckInvocation/CheckProperty.</summary>
        public static readonly bool StructInstanceMembers = false;

        /// <summary>Static methods of ordinary (non-[BpfProgram]) static classes: refused today as CSBPF1003. Turning
        /// this on also needs BpfCodeAnalyzer to collect those methods' bodies (it sees the [BpfProgram] class's
        /// own members only).</summary>
        public static readonly bool StaticHelperClasses = false;

        /// <summary>User-defined operators and conversions (refused today as CSBPF1001 "a user-defined operator/conversion").</summary>
        public static readonly bool UserDefinedOperators = false;
    }
}
