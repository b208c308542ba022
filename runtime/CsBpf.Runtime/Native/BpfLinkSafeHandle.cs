using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Owns a <c>struct bpf_link *</c>. Releasing it calls <c>bpf_link__destroy</c>, which detaches the program
/// (closes the BPF link fd, or for perf-event based tracepoint links disables and closes the perf event).
/// </summary>
internal sealed class BpfLinkSafeHandle : SafeHandle
{
    public BpfLinkSafeHandle(nint link) : base(0, ownsHandle: true) => SetHandle(link);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => LibBpf.bpf_link__destroy(handle) == 0;
}
