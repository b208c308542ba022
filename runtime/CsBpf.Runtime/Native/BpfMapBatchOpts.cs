using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary><c>struct bpf_map_batch_opts</c> (libbpf bpf.h): size, per-element flags, batch flags.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfMapBatchOpts
{
    /// <summary><c>sz</c>: <c>sizeof</c> this struct.</summary>
    public nuint Size;
    /// <summary><c>elem_flags</c>: <c>BPF_ANY</c>/<c>BPF_NOEXIST</c>/<c>BPF_EXIST</c> for updates, <c>BPF_F_LOCK</c>.</summary>
    public ulong ElementFlags;
    /// <summary><c>flags</c>: must be 0.</summary>
    public ulong Flags;
}
