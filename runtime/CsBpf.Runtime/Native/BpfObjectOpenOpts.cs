using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// <c>struct bpf_object_open_opts</c> as laid out by libbpf 1.1 on LP64 (<c>libbpf.h</c>). libbpf reads only
/// the first <see cref="Size"/> bytes and requires any bytes it does not know to be zero, so this struct must
/// not declare fields that libbpf 1.x lacks.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfObjectOpenOpts
{
    /// <summary><c>sz</c>: <c>sizeof</c> of this struct, for libbpf's forward/backward compatibility check.</summary>
    public nuint Size;
    /// <summary><c>object_name</c>: overrides the default "&lt;addr&gt;-&lt;size&gt;" name of an in-memory object.</summary>
    public byte* ObjectName;
    /// <summary><c>relaxed_maps</c> (C <c>bool</c>).</summary>
    public byte RelaxedMaps;
    /// <summary><c>pin_root_path</c>.</summary>
    public byte* PinRootPath;
    /// <summary>The 32-bit stub left where <c>attach_prog_fd</c> used to be.</summary>
    public uint Unused;
    /// <summary><c>kconfig</c>.</summary>
    public byte* Kconfig;
    /// <summary><c>btf_custom_path</c>.</summary>
    public byte* BtfCustomPath;
    /// <summary><c>kernel_log_buf</c>.</summary>
    public byte* KernelLogBuf;
    /// <summary><c>kernel_log_size</c>.</summary>
    public nuint KernelLogSize;
    /// <summary><c>kernel_log_level</c>.</summary>
    public uint KernelLogLevel;
}
