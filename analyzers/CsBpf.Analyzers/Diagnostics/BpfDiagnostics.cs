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

        // ---- 0001-0039: verifier rules and unsupported constructs (Rules/) ----

        /// <summary>CSBPF0001.</summary>
        public static readonly DiagnosticDescriptor ManagedAllocation = Error(RuleIdentifiers.ManagedAllocation,
            "Managed allocation in BPF code",
            "'{0}' allocates on the managed heap, which BPF programs cannot use: use a local, an unmanaged struct, stackalloc into a Span<T>, or a map", "CsBpf.Language");

        /// <summary>CSBPF0002.</summary>
        public static readonly DiagnosticDescriptor StringInBpfCode = Error(RuleIdentifiers.StringInBpfCode,
            "String in BPF code",
            "'{0}' is a string, which BPF code has only as the format of a helper such as Bpf.Printk: print values through a format helper, or write them to a map or ring buffer", "CsBpf.Language");

        /// <summary>CSBPF0003.</summary>
        public static readonly DiagnosticDescriptor ExceptionInBpfCode = Error(RuleIdentifiers.ExceptionInBpfCode,
            "Exception handling in BPF code",
            "'{0}' uses exceptions, which BPF programs do not have: test the condition and return an error code instead", "CsBpf.Language");

        /// <summary>CSBPF0004.</summary>
        public static readonly DiagnosticDescriptor VirtualCall = Error(RuleIdentifiers.VirtualCall,
            "Virtual or interface call in BPF code",
            "'{0}' is a virtual or interface call, which BPF code cannot dispatch: call a static method of the [BpfProgram] class instead", "CsBpf.Language");

        /// <summary>CSBPF0005.</summary>
        public static readonly DiagnosticDescriptor DelegateInBpfCode = Error(RuleIdentifiers.DelegateInBpfCode,
            "Delegate, lambda or local function in BPF code",
            "'{0}' needs a delegate, closure or indirect call, which BPF code does not have: make it a static method of the [BpfProgram] class and call it directly", "CsBpf.Language");

        /// <summary>CSBPF0006.</summary>
        public static readonly DiagnosticDescriptor LinqInBpfCode = Error(RuleIdentifiers.LinqInBpfCode,
            "LINQ in BPF code",
            "'{0}' uses LINQ, which allocates enumerators and delegates: write a for loop with a constant bound", "CsBpf.Language");

        /// <summary>CSBPF0007.</summary>
        public static readonly DiagnosticDescriptor ForEachOverEnumerable = Error(RuleIdentifiers.ForEachOverEnumerable,
            "foreach over an enumerable in BPF code",
            "foreach over '{0}' needs an enumerator object: iterate a Span<T>, a ReadOnlySpan<T> or an inline array, or write a for loop with a constant bound", "CsBpf.Language");

        /// <summary>CSBPF0008.</summary>
        public static readonly DiagnosticDescriptor Recursion = Error(RuleIdentifiers.Recursion,
            "Recursion in BPF code",
            "The call to '{0}' is recursive, which the kernel verifier rejects: rewrite the recursion as a loop with a constant bound", "CsBpf.Verifier");

        /// <summary>CSBPF0009.</summary>
        public static readonly DiagnosticDescriptor FloatingPoint = Error(RuleIdentifiers.FloatingPoint,
            "Floating point in BPF code",
            "'{0}' is floating point ({1}), which the kernel does not allow in BPF programs: use integers, e.g. fixed point scaled by a power of ten", "CsBpf.Language");

        /// <summary>CSBPF0011.</summary>
        public static readonly DiagnosticDescriptor CheckedArithmetic = Error(RuleIdentifiers.CheckedArithmetic,
            "Checked arithmetic in BPF code",
            "'{0}' is checked arithmetic, but BPF has no overflow traps: use unchecked arithmetic and test the operands (or the range before a cast) first", "CsBpf.Language");

        /// <summary>CSBPF0012.</summary>
        public static readonly DiagnosticDescriptor LockOrUsing = Error(RuleIdentifiers.LockOrUsing,
            "lock or using in BPF code",
            "'{0}' is not available in BPF code: {1}", "CsBpf.Language");

        /// <summary>CSBPF0013.</summary>
        public static readonly DiagnosticDescriptor NonExhaustiveSwitch = Error(RuleIdentifiers.NonExhaustiveSwitch,
            "Switch expression does not cover every input",
            "This switch expression does not cover every input: C# throws when no arm matches, BPF cannot; add a discard arm '_ => ...'", "CsBpf.Language");

        /// <summary>CSBPF0014.</summary>
        public static readonly DiagnosticDescriptor UnboundedLoop = Error(RuleIdentifiers.UnboundedLoop,
            "Loop bound the verifier cannot prove",
            "The kernel verifier cannot prove that this loop ends ({0}): compare a counter with a constant bound, e.g. 'for (int i = 0; i < 64 && ...; i++)', or use Bpf.Loop", "CsBpf.Verifier");

        /// <summary>CSBPF0015.</summary>
        public static readonly DiagnosticDescriptor StackLimit = Error(RuleIdentifiers.StackLimit,
            "BPF stack limit exceeded",
            "'{0}' needs {1} bytes of stack{2}, more than the kernel's 512: move large locals and buffers into a per-CPU array map", "CsBpf.Verifier");

        /// <summary>CSBPF0016.</summary>
        public static readonly DiagnosticDescriptor MapValueNullCheck = Error(RuleIdentifiers.MapValueNullCheck,
            "Map value used without a null check",
            "'{0}' is a null reference when the map has no entry for the key (or the ring buffer no room), and the kernel verifier rejects its use on that path: test it first, e.g. 'if (Unsafe.IsNullRef(ref {0})) return 0;'", "CsBpf.Verifier");

        /// <summary>CSBPF0017.</summary>
        public static readonly DiagnosticDescriptor DivisionByZero = Error(RuleIdentifiers.DivisionByZero,
            "Divisor may be zero",
            "The divisor '{0}' may be zero: C# throws DivideByZeroException where BPF returns 0; test it first, e.g. 'if ({0} != 0) ...'", "CsBpf.Language");

        /// <summary>CSBPF0018.</summary>
        public static readonly DiagnosticDescriptor DivisionOverflow = Error(RuleIdentifiers.DivisionOverflow,
            "Signed division may overflow",
            "The signed division by '{0}' may compute MinValue / -1: C# throws OverflowException where BPF returns MinValue; test the divisor first, e.g. 'if ({0} > 0) ...', or use unsigned operands", "CsBpf.Language");

        /// <summary>CSBPF0019.</summary>
        public static readonly DiagnosticDescriptor SpanIndexOutOfRange = Error(RuleIdentifiers.SpanIndexOutOfRange,
            "Index or range may be out of bounds",
            "{0}: {1}", "CsBpf.Language");

        /// <summary>CSBPF0021.</summary>
        public static readonly DiagnosticDescriptor StalePacketReference = Error(RuleIdentifiers.StalePacketReference,
            "Packet reference used after the packet changed",
            "'{0}' points into the packet as it was before '{1}', which may move or resize it, and the kernel verifier invalidates such references: call GetRef again after it", "CsBpf.Verifier");

        /// <summary>CSBPF0020.</summary>
        public static readonly DiagnosticDescriptor PacketReferenceNullCheck = Error(RuleIdentifiers.PacketReferenceNullCheck,
            "Packet reference used without a bounds check",
            "'{0}' is a null reference when the packet is too short (GetRef checks the bounds against data_end), and the kernel verifier rejects a packet access it has not seen checked on that path: test it first, e.g. 'if (Unsafe.IsNullRef(ref {0})) return XdpAction.Pass;'", "CsBpf.Verifier");

        /// <summary>CSBPF0060.</summary>
        public static readonly DiagnosticDescriptor MapNotAllowedInSleepableProgram = Error(RuleIdentifiers.MapNotAllowedInSleepableProgram,
            "Map type not usable from a sleepable program",
            "Map '{0}' is {1}, which sleepable program '{2}' ({3}) cannot use: the verifier allows sleepable programs only hash, array (also per-CPU and LRU), ring buffer, queue, stack, map-of-maps and local storage maps; use it from a non-sleepable program (e.g. a tracepoint)", "CsBpf.Verifier");

        /// <summary>CSBPF0061.</summary>
        public static readonly DiagnosticDescriptor RingBufferReservationNotReleased = Error(RuleIdentifiers.RingBufferReservationNotReleased,
            "Ring buffer reservation not submitted or discarded",
            "The record '{0}' reserved here is not submitted or discarded on every path ({1}): the verifier rejects the program ('Unreleased reference'); call Submit or Discard on each path once the record is not null", "CsBpf.Verifier");
        /// <summary>CSBPF0050.</summary>
        public static readonly DiagnosticDescriptor ContextMemberNotAvailable = Error(RuleIdentifiers.ContextMemberNotAvailable,
            "Context member not available to this program type",
            "'{0}' is not available to program '{1}' ([{2}], {3}): the kernel lets only {4} programs use it{5}", "CsBpf.Verifier");

        /// <summary>CSBPF0051.</summary>
        public static readonly DiagnosticDescriptor ContextFieldReadOnly = Error(RuleIdentifiers.ContextFieldReadOnly,
            "Context field is read-only in this program type",
            "'{0}' is read-only in program '{1}' ([{2}], {3}): the kernel lets only {4} programs write it{5}", "CsBpf.Verifier");
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

        /// <summary>CSBPF1150.</summary>
        public static readonly DiagnosticDescriptor InvalidMapKeyOrValue = Error(RuleIdentifiers.InvalidMapKeyOrValue,
            "Invalid map key or value type",
            "Map '{0}' cannot use this key or value type: {1}", "CsBpf.Program");

        /// <summary>CSBPF1151.</summary>
        public static readonly DiagnosticDescriptor InvalidMapMaxEntries = Error(RuleIdentifiers.InvalidMapMaxEntries,
            "Invalid map size",
            "Map '{0}' has no valid size: {1}", "CsBpf.Program");

        /// <summary>CSBPF1152.</summary>
        public static readonly DiagnosticDescriptor InvalidRingBufferSize = Error(RuleIdentifiers.InvalidRingBufferSize,
            "Invalid ring buffer size",
            "Ring buffer '{0}' has size {1}: the kernel needs a power of two that is a multiple of the page size (4096 bytes or more), e.g. 1 << 16", "CsBpf.Program");

        /// <summary>CSBPF1153.</summary>
        public static readonly DiagnosticDescriptor InvalidLpmKey = Error(RuleIdentifiers.InvalidLpmKey,
            "Invalid LPM trie key",
            "LPM trie '{0}' cannot use prefix data '{1}': {2}", "CsBpf.Program");

        /// <summary>CSBPF1154.</summary>
        public static readonly DiagnosticDescriptor InvalidInnerMap = Error(RuleIdentifiers.InvalidInnerMap,
            "Invalid inner map of a map of maps",
            "Map of maps '{0}' has no valid inner map: {1}", "CsBpf.Program");

        /// <summary>CSBPF1155.</summary>
        public static readonly DiagnosticDescriptor InvalidMapFlags = Error(RuleIdentifiers.InvalidMapFlags,
            "Invalid map flags or options",
            "Map '{0}' cannot be created this way: {1}", "CsBpf.Program");

        /// <summary>CSBPF1156.</summary>
        public static readonly DiagnosticDescriptor RingBufferRecordTooLarge = Error(RuleIdentifiers.RingBufferRecordTooLarge,
            "Ring buffer record larger than the ring",
            "A '{0}' record takes {1} bytes in ring buffer '{2}', which holds {3}: every reservation or output would fail; make the ring bigger or the record smaller", "CsBpf.Program");

        /// <summary>CSBPF1200.</summary>
        public static readonly DiagnosticDescriptor LogArgumentType = Error(RuleIdentifiers.LogArgumentType,
            "Value cannot be logged from BPF code",
            "'{0}' of type '{1}' cannot be a BpfLog value: {2}", "CsBpf.Logging");

        /// <summary>CSBPF1201.</summary>
        public static readonly DiagnosticDescriptor LogMessageFormat = Error(RuleIdentifiers.LogMessageFormat,
            "Invalid BpfLog message",
            "This BpfLog message cannot be split at compile time: {0}", "CsBpf.Logging");

        /// <summary>CSBPF1202.</summary>
        public static readonly DiagnosticDescriptor LogOptions = Error(RuleIdentifiers.LogOptions,
            "Invalid BpfLog ring buffer",
            "The BpfLog ring buffer of '{0}' is not valid: {1}", "CsBpf.Logging");
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
            ManagedAllocation, StringInBpfCode, ExceptionInBpfCode, VirtualCall, DelegateInBpfCode, LinqInBpfCode,
            ForEachOverEnumerable, Recursion, FloatingPoint, CheckedArithmetic, LockOrUsing,
            NonExhaustiveSwitch, UnboundedLoop, StackLimit, MapValueNullCheck, DivisionByZero, DivisionOverflow,
            SpanIndexOutOfRange, PacketReferenceNullCheck, StalePacketReference,
            UnsupportedConstruct, UnsupportedType, UnsupportedCall, MissingLicense, InvalidMapDeclaration,
            InvalidProgramDeclaration, SourceError, BackendFailure, LlvmNotFound, CompilerNotFound,
            InvalidMapKeyOrValue, InvalidMapMaxEntries, InvalidRingBufferSize, InvalidLpmKey, InvalidInnerMap, InvalidMapFlags,
            RingBufferRecordTooLarge, MapNotAllowedInSleepableProgram, RingBufferReservationNotReleased,
            ContextMemberNotAvailable, ContextFieldReadOnly,
            LogArgumentType, LogMessageFormat, LogOptions,
            HelperNotAvailable, GplOnlyHelper, TracepointRecordCopy,
        };
    }
}
