using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// Owns a file descriptor the runtime opened itself (an epoll instance, an eventfd, a pinned map opened with
/// <c>bpf_obj_get</c>) and closes it on release. Fds of a <c>bpf_object</c>'s maps and programs are owned by
/// libbpf and never wrapped in this type.
/// </summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    public FileDescriptorHandle(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <summary>The descriptor number; only meaningful while the handle is open (lease it around native calls).</summary>
    public int Fd => (int)handle;

    /// <inheritdoc />
    public override bool IsInvalid => handle < 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
