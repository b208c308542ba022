using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Owns a <c>struct bpf_object *</c>. Releasing it calls <c>bpf_object__close</c>, which unloads the
/// programs and closes the map fds the object owns. Links are separate kernel objects with their own handle
/// (<see cref="BpfLinkSafeHandle"/>), so release order between the two does not matter.
/// </summary>
internal sealed class BpfObjectSafeHandle : SafeHandle
{
    public BpfObjectSafeHandle(nint obj) : base(0, ownsHandle: true) => SetHandle(obj);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibBpf.bpf_object__close(handle);
        return true;
    }
}
