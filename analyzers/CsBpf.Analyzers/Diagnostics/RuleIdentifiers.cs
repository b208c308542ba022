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
        /// <summary>A map key or value type that is not plain unmanaged data with sequential layout.</summary>
        public const string MapTypeNotPlainData = "CSBPF0010";
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
        /// <summary>LLVM failed to verify or emit the module (an internal compiler error).</summary>
        public const string BackendFailure = "CSBPF2001";
        /// <summary>libLLVM could not be loaded.</summary>
        public const string LlvmNotFound = "CSBPF3001";
        /// <summary>The build cannot find csbpfc (reported by the MSBuild targets).</summary>
        public const string CompilerNotFound = "CSBPF3002";
    }
}
