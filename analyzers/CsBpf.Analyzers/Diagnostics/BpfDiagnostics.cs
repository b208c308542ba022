using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Diagnostics
{
    /// <summary>
    /// The descriptors of all CsBpf diagnostics, shared by the analyzers and the compiler (<c>csbpfc</c>), so
    /// one ID always means one rule wherever it is reported.
    /// </summary>
    public static class BpfDiagnostics
    {
        private const string HelpBase = "https://github.com/csbpf/csbpf/blob/main/docs/diagnostics/";

        private static DiagnosticDescriptor Error(string id, string title, string message, string category) =>
            new DiagnosticDescriptor(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: HelpBase + id + ".md");

        /// <summary>An error found by a compilation-end analysis (it needs every method of the compilation, e.g. the
        /// call graph): tagged <see cref="WellKnownDiagnosticTags.CompilationEnd"/> as Roslyn requires.</summary>
        private static DiagnosticDescriptor CompilationEndError(string id, string title, string message, string category) =>
            new DiagnosticDescriptor(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: HelpBase + id + ".md", customTags: WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>CSBPF0040.</summary>
        public static readonly DiagnosticDescriptor HelperNotAvailable = CompilationEndError(RuleIdentifiers.HelperNotAvailable,
            "Helper not available to this program type",
            "Program '{2}' ([{3}], program type {4}) calls '{0}'{5}, but the kernel offers helper {1} only to {6}: the verifier would refuse to load the program", "CsBpf.Verifier");

        /// <summary>CSBPF0041.</summary>
        public static readonly DiagnosticDescriptor GplOnlyHelper = CompilationEndError(RuleIdentifiers.GplOnlyHelper,
            "GPL-only helper in a program that is not GPL",
            "'{0}' (helper {1}) is GPL-only, but class '{2}' has License = \"{3}\" (program '{4}' calls it{5}): the kernel refuses GPL-only helpers to programs whose license is not GPL-compatible; use \"GPL\", \"GPL v2\", \"Dual MIT/GPL\", \"Dual BSD/GPL\", \"Dual MPL/GPL\" or \"GPL and additional rights\"", "CsBpf.Verifier");

        /// <summary>CSBPF1001.</summary>
        public static readonly DiagnosticDescriptor UnsupportedConstruct = Error(RuleIdentifiers.UnsupportedConstruct,
            "Construct not supported in BPF code",
            "{0} is not supported in BPF code: {1}", "CsBpf.Language");

        /// <summary>CSBPF1002.</summary>
        public static readonly DiagnosticDescriptor UnsupportedType = Error(RuleIdentifiers.UnsupportedType,
            "Type not supported in BPF code",
            "Type '{0}' cannot be used in BPF code: {1}", "CsBpf.Language");

        /// <summary>CSBPF1003.</summary>
        public static readonly DiagnosticDescriptor UnsupportedCall = Error(RuleIdentifiers.UnsupportedCall,
            "Call to a method that is not BPF code",
            "'{0}' cannot be called from BPF code: only static methods of [BpfProgram] classes, BPF helpers (CsBpf.Bpf) and map methods can; move the logic into a static method of the program class", "CsBpf.Language");

        /// <summary>CSBPF1004.</summary>
        public static readonly DiagnosticDescriptor MissingLicense = Error(RuleIdentifiers.MissingLicense,
            "BPF program has no license",
            "[BpfProgram] class '{0}' has no license: write [BpfProgram(License = \"GPL\")] (the kernel refuses GPL-only helpers to non-GPL programs)", "CsBpf.Program");

        /// <summary>CSBPF1005.</summary>
        public static readonly DiagnosticDescriptor InvalidMapDeclaration = Error(RuleIdentifiers.InvalidMapDeclaration,
            "Invalid map declaration",
            "Map '{0}' is not valid: {1}", "CsBpf.Program");

        /// <summary>CSBPF1006.</summary>
        public static readonly DiagnosticDescriptor InvalidProgramDeclaration = Error(RuleIdentifiers.InvalidProgramDeclaration,
            "Invalid BPF program declaration",
            "Program '{0}' is not valid: {1}", "CsBpf.Program");

        /// <summary>CSBPF1007.</summary>
        public static readonly DiagnosticDescriptor SourceError = Error(RuleIdentifiers.SourceError,
            "C# error in BPF code",
            "{0}", "CsBpf.Language");

        /// <summary>CSBPF1100.</summary>
        public static readonly DiagnosticDescriptor TracepointRecordCopy = Error(RuleIdentifiers.TracepointRecordCopy,
            "Tracepoint record copied as a whole",
            "Tracepoint record '{0}' is copied as a whole here: a copy reads the record's first 8 bytes (the common header), which the verifier forbids BPF programs to read; read the fields you need ({0}.Field), or pass it on as 'in {0}'", "CsBpf.Program");

        /// <summary>CSBPF2001.</summary>
        public static readonly DiagnosticDescriptor BackendFailure = Error(RuleIdentifiers.BackendFailure,
            "LLVM back end failed",
            "LLVM could not compile '{0}': {1}", "CsBpf.Backend");

        /// <summary>CSBPF3001.</summary>
        public static readonly DiagnosticDescriptor LlvmNotFound = Error(RuleIdentifiers.LlvmNotFound,
            "libLLVM not found",
            "{0}", "CsBpf.Build");

        /// <summary>CSBPF3002: reported by msbuild/CsBpf.Build's targets (not by Roslyn); registered here so the ID stays unique.</summary>
        public static readonly DiagnosticDescriptor CompilerNotFound = Error(RuleIdentifiers.CompilerNotFound,
            "BPF compiler not found",
            "{0}", "CsBpf.Build");

        /// <summary>All descriptors, for the docs test and the analyzers' SupportedDiagnostics.</summary>
        public static readonly DiagnosticDescriptor[] All =
        {
            UnsupportedConstruct, UnsupportedType, UnsupportedCall, MissingLicense, InvalidMapDeclaration,
            InvalidProgramDeclaration, SourceError, BackendFailure, LlvmNotFound, CompilerNotFound,
            HelperNotAvailable, GplOnlyHelper, TracepointRecordCopy,
        };
    }
}
