namespace CsBpf.Analyzers.Diagnostics
{
    /// <summary>
    /// Every CsBpf diagnostic ID, in one place. Ranges: 0xxx verifier rules, 1xxx front end (language
    /// subset), 2xxx back end (LLVM/object), 3xxx build and runtime. Within them, blocks by area so parallel
    /// work does not collide: 0001-0039 verifier rules (analyzers), 0040-0059 helper availability and program
    /// types, 0060-0079 maps; 1001-1009 general, 1010-1099 language constructs, 1100-1149 program
    /// declarations and contexts, 1150-1199 map declarations.
    /// </summary>
    public static class RuleIdentifiers
    {
        /// <summary>A program calls a helper its program type is not offered (helper availability).</summary>
        public const string HelperNotAvailable = "CSBPF0040";
        /// <summary>A program whose license is not GPL-compatible calls a GPL-only helper.</summary>
        public const string GplOnlyHelper = "CSBPF0041";
        /// <summary>A construct the BPF subset does not support.</summary>
        public const string UnsupportedConstruct = "CSBPF1001";
        /// <summary>A type that cannot be used in BPF code.</summary>
        public const string UnsupportedType = "CSBPF1002";
        /// <summary>A call to a method that is neither BPF code nor a helper.</summary>
        public const string UnsupportedCall = "CSBPF1003";
        /// <summary>A [BpfProgram] class without a license.</summary>
        public const string MissingLicense = "CSBPF1004";
        /// <summary>A malformed map declaration.</summary>
        public const string InvalidMapDeclaration = "CSBPF1005";
        /// <summary>A program method with a wrong signature or a malformed attach attribute.</summary>
        public const string InvalidProgramDeclaration = "CSBPF1006";
        /// <summary>The C# source has compile errors inside a [BpfProgram] class.</summary>
        public const string SourceError = "CSBPF1007";
        /// <summary>A tracepoint record used as a whole value (copied), which would read its unreadable common header.</summary>
        public const string TracepointRecordCopy = "CSBPF1100";
        /// <summary>LLVM failed to verify or emit the module (an internal compiler error).</summary>
        public const string BackendFailure = "CSBPF2001";
        /// <summary>libLLVM could not be loaded.</summary>
        public const string LlvmNotFound = "CSBPF3001";
        /// <summary>The build cannot find csbpfc (reported by the MSBuild targets).</summary>
        public const string CompilerNotFound = "CSBPF3002";
    }
}
