using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Keeps a <see cref="SafeHandle"/> open for the duration of a native call (<c>DangerousAddRef</c> /
/// <c>DangerousRelease</c>), so a concurrent <c>Dispose</c> cannot close the bpf_object, and with it the map
/// or program fd, while the call uses it: without this, the fd number could be reused by an unrelated file.
/// </summary>
internal readonly ref struct HandleLease
{
    private readonly SafeHandle _handle;

    public HandleLease(SafeHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        _handle = handle;
    }

    /// <summary>The raw pointer, valid until <see cref="Dispose"/>.</summary>
    public nint Pointer => _handle.DangerousGetHandle();

    public void Dispose() => _handle.DangerousRelease();
}
