namespace CsBpf.Compiler.Frontend;

/// <summary>Metadata names of the program-side API the compiler recognises (runtime/CsBpf).</summary>
internal static class WellKnownNames
{
    public const string BpfProgramAttribute = "CsBpf.BpfProgramAttribute";
    public const string MapAttribute = "CsBpf.MapAttribute";
    public const string TracepointAttribute = "CsBpf.TracepointAttribute";
    public const string KprobeAttribute = "CsBpf.KprobeAttribute";
    public const string KretprobeAttribute = "CsBpf.KretprobeAttribute";
    public const string FentryAttribute = "CsBpf.FentryAttribute";
    public const string FexitAttribute = "CsBpf.FexitAttribute";
    public const string LsmAttribute = "CsBpf.LsmAttribute";
    public const string SyscallAttribute = "CsBpf.SyscallAttribute";
    public const string UprobeAttribute = "CsBpf.UprobeAttribute";
    public const string UretprobeAttribute = "CsBpf.UretprobeAttribute";
    public const string RawTracepointAttribute = "CsBpf.RawTracepointAttribute";
    public const string PerfEventAttribute = "CsBpf.PerfEventAttribute";
    public const string UsdtAttribute = "CsBpf.UsdtAttribute";
    public const string PtRegs = "CsBpf.PtRegs";
    public const string RawTracepointContext = "CsBpf.RawTracepointContext";
    public const string PerfEventContext = "CsBpf.PerfEventContext";
    public const string BpfHelperAttribute = "CsBpf.BpfHelperAttribute";
    public const string BpfMapKindAttribute = "CsBpf.BpfMapKindAttribute";
    public const string MapIntrinsicAttribute = "CsBpf.MapIntrinsicAttribute";
    public const string TracepointContext = "CsBpf.TracepointContext";
    public const string IBpfContext = "CsBpf.IBpfContext";
    public const string ContextFieldAttribute = "CsBpf.ContextFieldAttribute";
    public const string Unsafe = "System.Runtime.CompilerServices.Unsafe";
    public const string Interlocked = "System.Threading.Interlocked";
    public const string BpfLog = "CsBpf.BpfLog";
}
