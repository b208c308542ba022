namespace CsBpf.Analyzers.Diagnostics
{
    /// <summary>
    /// Every CsBpf diagnostic ID, in one place. Ranges: 0xxx verifier rules, 1xxx front end (language
    /// subset), 2xxx back end (LLVM/object), 3xxx build and runtime. Within them, blocks by area so parallel
    /// work does not collide: 0001-0039 verifier rules (analyzers), 0040-0059 helper availability and program
    /// types, 0060-0079 maps; 1001-1009 general, 1010-1099 language constructs, 1100-1149 program
    /// declarations and contexts, 1150-1199 map declarations, 1200-1219 BpfLog (logging from BPF code) and the host loader (1210-1212: suppressions of C#'s unused-field
    /// warnings on BPF globals, Generators/BpfGlobalSuppressor).
    /// </summary>
    public static class RuleIdentifiers
    {
        // ---- 0001-0039: verifier rules and unsupported constructs (analyzers in Rules/, run by the IDE, the
        // build and the compiler; the compiler reports its own fallback checks with the same IDs) ----

        /// <summary>A managed allocation (new of a class or array, boxing).</summary>
        public const string ManagedAllocation = "CSBPF0001";
        /// <summary>A string outside the format argument of a format helper.</summary>
        public const string StringInBpfCode = "CSBPF0002";
        /// <summary>try/catch/finally or throw.</summary>
        public const string ExceptionInBpfCode = "CSBPF0003";
        /// <summary>A virtual or interface call.</summary>
        public const string VirtualCall = "CSBPF0004";
        /// <summary>A lambda, anonymous method, local function, delegate or function pointer call.</summary>
        public const string DelegateInBpfCode = "CSBPF0005";
        /// <summary>LINQ (query expressions, System.Linq methods).</summary>
        public const string LinqInBpfCode = "CSBPF0006";
        /// <summary>foreach over something other than a span or inline array.</summary>
        public const string ForEachOverEnumerable = "CSBPF0007";
        /// <summary>A recursive call (direct or through other methods).</summary>
        public const string Recursion = "CSBPF0008";
        /// <summary>float, double or decimal.</summary>
        public const string FloatingPoint = "CSBPF0009";
        /// <summary>Checked arithmetic or a checked conversion.</summary>
        public const string CheckedArithmetic = "CSBPF0011";
        /// <summary>lock or using.</summary>
        public const string LockOrUsing = "CSBPF0012";
        /// <summary>A switch expression that does not cover every input.</summary>
        public const string NonExhaustiveSwitch = "CSBPF0013";
        /// <summary>A loop whose bound the verifier cannot prove.</summary>
        public const string UnboundedLoop = "CSBPF0014";
        /// <summary>A stack frame or call chain over the kernel's 512 bytes.</summary>
        public const string StackLimit = "CSBPF0015";
        /// <summary>A map lookup result used without a null check on some path.</summary>
        public const string MapValueNullCheck = "CSBPF0016";
        /// <summary>A division or remainder whose divisor may be zero.</summary>
        public const string DivisionByZero = "CSBPF0017";
        /// <summary>A signed division or remainder that may compute MinValue / -1.</summary>
        public const string DivisionOverflow = "CSBPF0018";
        /// <summary>A span index that may be out of range.</summary>
        public const string SpanIndexOutOfRange = "CSBPF0019";
        /// <summary>A packet reference (GetRef of an XDP or tc context) used without its bounds (null) check on some path.</summary>
        public const string PacketReferenceNullCheck = "CSBPF0020";
        /// <summary>A packet reference used after a helper that may move or resize the packet.</summary>
        public const string StalePacketReference = "CSBPF0021";

        /// <summary>A program reaches a context member its program type may not read (or a packet method it has no access to).</summary>
        public const string ContextMemberNotAvailable = "CSBPF0050";
        /// <summary>A program writes a context field its program type may only read.</summary>
        public const string ContextFieldReadOnly = "CSBPF0051";
        /// <summary>A sleepable program uses a map type the verifier allows only in non-sleepable programs.</summary>
        public const string MapNotAllowedInSleepableProgram = "CSBPF0060";
        /// <summary>A ring buffer reservation not submitted or discarded on every path.</summary>
        public const string RingBufferReservationNotReleased = "CSBPF0061";
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
        /// <summary>A map's key or value type cannot be used for its map type.</summary>
        public const string InvalidMapKeyOrValue = "CSBPF1150";
        /// <summary>A map's max_entries is not a constant in range.</summary>
        public const string InvalidMapMaxEntries = "CSBPF1151";
        /// <summary>A ring buffer's size is not a power of two multiple of the page size.</summary>
        public const string InvalidRingBufferSize = "CSBPF1152";
        /// <summary>An LPM trie's prefix data cannot follow the 32-bit prefix length.</summary>
        public const string InvalidLpmKey = "CSBPF1153";
        /// <summary>A map of maps has no usable inner map declaration.</summary>
        public const string InvalidInnerMap = "CSBPF1154";
        /// <summary>Map flags, NUMA node or pinning the map type does not accept.</summary>
        public const string InvalidMapFlags = "CSBPF1155";
        /// <summary>A ring buffer record that can never fit in its ring.</summary>
        public const string RingBufferRecordTooLarge = "CSBPF1156";
        /// <summary>A BpfLog hole whose type cannot be logged.</summary>
        public const string LogArgumentType = "CSBPF1200";
        /// <summary>A BpfLog message that is not a constant or interpolated string, or a hole format that cannot be applied.</summary>
        public const string LogMessageFormat = "CSBPF1201";
        /// <summary>Invalid [BpfLogOptions] (ring size) or a log record too big for the ring.</summary>
        public const string LogOptions = "CSBPF1202";
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
