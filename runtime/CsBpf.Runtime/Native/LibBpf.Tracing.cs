using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

// Attach entry points of the tracing program types (libbpf.h): uprobes, kprobes, raw tracepoints and perf
// events, with the option structs of libbpf 1.1 (each begins with its own size, so newer libbpf versions
// accept them unchanged).
internal static unsafe partial class LibBpf
{
    /// <summary><c>bpf_program__attach_uprobe_opts</c>: a uprobe (or uretprobe, <c>opts-&gt;retprobe</c>) on
    /// <paramref name="binaryPath"/> at <c>opts-&gt;func_name</c> + <paramref name="funcOffset"/>, for process
    /// <paramref name="pid"/> (-1: every process, 0: this one).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_uprobe_opts", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_program__attach_uprobe_opts(nint prog, int pid, string binaryPath, nuint funcOffset, BpfUprobeOpts* opts);

    /// <summary><c>bpf_program__attach_kprobe_opts</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_kprobe_opts", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_program__attach_kprobe_opts(nint prog, string functionName, BpfKprobeOpts* opts);

    /// <summary><c>bpf_program__attach_usdt</c>: uprobes on every site of USDT probe <paramref name="provider"/>:<paramref name="name"/>,
    /// with each site's argument spec stored in the object's <c>__bpf_usdt_specs</c> map.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_usdt", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_program__attach_usdt(nint prog, int pid, string binaryPath, string provider, string name, BpfUsdtOpts* opts);

    /// <summary><c>bpf_program__attach_raw_tracepoint</c>: a <c>BPF_RAW_TRACEPOINT_OPEN</c> link on the named tracepoint.</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_raw_tracepoint", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_program__attach_raw_tracepoint(nint prog, string name);

    /// <summary><c>bpf_program__attach_perf_event_opts</c>: attaches to the perf event <paramref name="pfd"/>; the
    /// link owns the fd from then on (destroying it disables and closes the event).</summary>
    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_perf_event_opts", SetLastError = true)]
    internal static partial nint bpf_program__attach_perf_event_opts(nint prog, int pfd, BpfPerfEventOpts* opts);
}

/// <summary><c>struct bpf_uprobe_opts</c> (libbpf 1.1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfUprobeOpts
{
    public nuint Size;
    /// <summary><c>ref_ctr_offset</c>: a USDT semaphore's file offset, 0 for none.</summary>
    public nuint RefCounterOffset;
    /// <summary><c>bpf_cookie</c>, returned by <c>bpf_get_attach_cookie</c>.</summary>
    public ulong Cookie;
    /// <summary><c>retprobe</c> (a C bool).</summary>
    public byte RetProbe;
    /// <summary><c>func_name</c>: the symbol to resolve in the binary, or NULL for a raw offset.</summary>
    public byte* FunctionName;
}

/// <summary><c>struct bpf_kprobe_opts</c> (libbpf 1.1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfKprobeOpts
{
    public nuint Size;
    public ulong Cookie;
    public nuint Offset;
    public byte RetProbe;
}

/// <summary><c>struct bpf_perf_event_opts</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfPerfEventOpts
{
    public nuint Size;
    public ulong Cookie;
}

/// <summary><c>struct bpf_usdt_opts</c> (libbpf 1.1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfUsdtOpts
{
    public nuint Size;
    /// <summary><c>usdt_cookie</c>.</summary>
    public ulong Cookie;
}
