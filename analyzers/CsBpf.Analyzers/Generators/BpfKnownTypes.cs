using System.Collections.Generic;

namespace CsBpf.Analyzers.Generators
{
    /// <summary>The program-side (CsBpf) and host-side (CsBpf.Runtime) names the generator knows. Extend the
    /// tables when a new program type or map kind is added to the program-side API.</summary>
    public static class BpfKnownTypes
    {
        /// <summary>The namespace of the program-side API.</summary>
        public const string ProgramNamespace = "CsBpf";

        /// <summary>The attribute that marks a BPF class.</summary>
        public const string BpfProgramAttribute = "CsBpf.BpfProgramAttribute";

        /// <summary>The attribute that marks a map field (metadata name within <see cref="ProgramNamespace"/>).</summary>
        public const string MapAttributeName = "MapAttribute";

        /// <summary>Attributes (in <see cref="ProgramNamespace"/>) that make a method a BPF program: one per
        /// program type. Names of program types not written yet are listed too, so they work once added.</summary>
        public static readonly IReadOnlyCollection<string> ProgramAttributeNames = new HashSet<string>
        {
            "TracepointAttribute",
            "RawTracepointAttribute",
            "KprobeAttribute",
            "KretprobeAttribute",
            "UprobeAttribute",
            "UretprobeAttribute",
            "UsdtAttribute",
            "FentryAttribute",
            "FexitAttribute",
            "LsmAttribute",
            "XdpAttribute",
            "TcAttribute",
            "SocketFilterAttribute",
            "PerfEventAttribute",
            "CgroupSkbAttribute",
            "SyscallAttribute",
        };

        /// <summary>The host runtime's namespace, as written in generated code.</summary>
        public const string RuntimeNamespace = "global::CsBpf.Runtime";

        /// <summary>Program-side map types (metadata names within <see cref="ProgramNamespace"/>) and the host
        /// map type and <c>BpfObject</c> accessor each becomes. The type arguments carry over in order.</summary>
        public static readonly IReadOnlyDictionary<string, HostMap> MapTypes = new Dictionary<string, HostMap>
        {
            ["HashMap`2"] = new HostMap(RuntimeNamespace + ".BpfHashMap", "GetHashMap"),
            ["ArrayMap`1"] = new HostMap(RuntimeNamespace + ".BpfArrayMap", "GetArrayMap"),
        };

        /// <summary>A host-side map type and the <c>BpfObject</c> method returning it.</summary>
        public readonly struct HostMap
        {
            /// <summary>Creates the entry.</summary>
            public HostMap(string type, string getter)
            {
                Type = type;
                Getter = getter;
            }

            /// <summary>The host map type (fully qualified, without type arguments).</summary>
            public string Type { get; }

            /// <summary>The accessor, e.g. <c>GetHashMap</c>.</summary>
            public string Getter { get; }
        }
    }
}
