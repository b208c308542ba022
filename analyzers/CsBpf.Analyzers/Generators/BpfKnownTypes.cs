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
            "CgroupSockAddrAttribute",
            "SyscallAttribute",
        };

        /// <summary>The host runtime's namespace, as written in generated code.</summary>
        public const string RuntimeNamespace = "global::CsBpf.Runtime";

        /// <summary>The attribute on a program-side map class that names its host view and accessor
        /// (metadata name within <see cref="ProgramNamespace"/>): the data-driven way map kinds slot into the loader.</summary>
        public const string HostViewAttributeName = "BpfHostViewAttribute";

        /// <summary>Fallback for program-side map types without <c>[BpfHostView]</c> (metadata names within
        /// <see cref="ProgramNamespace"/>): the host map type and <c>BpfObject</c> accessor each becomes. The type
        /// arguments carry over in order.</summary>
        public static readonly IReadOnlyDictionary<string, HostMap> MapTypes = new Dictionary<string, HostMap>
        {
            ["HashMap`2"] = new HostMap(RuntimeNamespace + ".BpfHashMap", "GetHashMap"),
            ["ArrayMap`1"] = new HostMap(RuntimeNamespace + ".BpfArrayMap", "GetArrayMap"),
            ["LruHashMap`2"] = new HostMap(RuntimeNamespace + ".BpfHashMap", "GetHashMap"),
            ["PerCpuHashMap`2"] = new HostMap(RuntimeNamespace + ".BpfPerCpuHashMap", "GetPerCpuHashMap"),
            ["LruPerCpuHashMap`2"] = new HostMap(RuntimeNamespace + ".BpfPerCpuHashMap", "GetPerCpuHashMap"),
            ["PerCpuArrayMap`1"] = new HostMap(RuntimeNamespace + ".BpfPerCpuArrayMap", "GetPerCpuArrayMap"),
            ["LpmTrieMap`2"] = new HostMap(RuntimeNamespace + ".BpfLpmTrieMap", "GetLpmTrieMap"),
            ["QueueMap`1"] = new HostMap(RuntimeNamespace + ".BpfQueueMap", "GetQueueMap"),
            ["StackMap`1"] = new HostMap(RuntimeNamespace + ".BpfStackMap", "GetStackMap"),
            ["RingBuffer"] = new HostMap(RuntimeNamespace + ".BpfRingBuffer", "GetRingBuffer"),
            ["PerfEventArray"] = new HostMap(RuntimeNamespace + ".BpfPerfEventArray", "GetPerfEventArray"),
            ["StackTraceMap"] = new HostMap(RuntimeNamespace + ".BpfStackTraceMap", "GetStackTraceMap"),
            ["ProgramArray"] = new HostMap(RuntimeNamespace + ".BpfProgramArray", "GetProgramArray"),
            // Maps of maps: the inner map type is program-side only; the host view takes the key type (if any).
            ["ArrayOfMaps`1"] = new HostMap(RuntimeNamespace + ".BpfArrayOfMaps", "GetArrayOfMaps", typeArgumentCount: 0),
            ["HashOfMaps`2"] = new HostMap(RuntimeNamespace + ".BpfHashOfMaps", "GetHashOfMaps", typeArgumentCount: 1),
        };

        /// <summary>A host-side map type and the <c>BpfObject</c> method returning it.</summary>
        public readonly struct HostMap
        {
            /// <summary>Creates the entry.</summary>
            public HostMap(string type, string getter, int typeArgumentCount = -1)
            {
                Type = type;
                Getter = getter;
                TypeArgumentCount = typeArgumentCount;
            }

            /// <summary>How many leading type arguments of the program-side type the host type takes; -1 for all.</summary>
            public int TypeArgumentCount { get; }

            /// <summary>The host map type (fully qualified, without type arguments).</summary>
            public string Type { get; }

            /// <summary>The accessor, e.g. <c>GetHashMap</c>.</summary>
            public string Getter { get; }
        }
    }
}
