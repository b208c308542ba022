using System.Net.Sockets;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Socket filters: setsockopt(SOL_SOCKET, SO_ATTACH_BPF, &prog_fd) (net/core/sock.c → sk_attach_bpf).
public sealed partial class BpfProgramHandle
{
    internal const int SolSocket = 1, SoAttachBpf = 50, SoDetachBpf = 27;

    /// <summary>
    /// Attaches a socket filter (<c>[SocketFilter]</c>, section <c>socket</c>) to <paramref name="socket"/>: from now
    /// on each packet queued to it runs the program, which returns how many bytes to keep (0 drops it). A socket has
    /// one filter; attaching replaces the previous one. Dispose the result (or the object, or close the socket) to detach.
    /// </summary>
    /// <param name="socket">An open socket (e.g. UDP, TCP or raw).</param>
    /// <exception cref="BpfAttachException">The program is not a socket filter, or the kernel refused.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public BpfSocketFilterAttachment AttachSocketFilter(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var target = $"socket {socket.LocalEndPoint?.ToString() ?? socket.AddressFamily.ToString()}";
        using (var lease = Object.LeaseLoaded($"attach program '{Name}'"))
        {
            var fd = LibBpf.bpf_program__fd(Native);
            if (fd < 0) throw new InvalidOperationException($"Program '{Name}' was not loaded (libbpf autoload is off for it), so it cannot be attached.");
            Span<byte> value = stackalloc byte[4];
            BitConverter.TryWriteBytes(value, fd);
            try
            {
                // The kernel takes its own reference to the program: the fd is only needed for the call.
                socket.SetRawSocketOption(SolSocket, SoAttachBpf, value);
            }
            catch (SocketException e)
            {
                // SocketException carries .NET's SocketError, not the errno: map the ones setsockopt reports here.
                throw e.SocketErrorCode switch
                {
                    SocketError.InvalidArgument => new BpfAttachException(
                        $"Attaching program '{Name}' (section '{SectionName}', program type {ProgramType}) to {target} failed (EINVAL): only socket filters ([SocketFilter], section 'socket') attach to sockets.",
                        Name, target, Errno.EINVAL, e),
                    SocketError.AccessDenied => new BpfPermissionException(
                        $"Attaching program '{Name}' to {target} was denied ({e.Message}): the socket's filter is locked (SO_LOCK_FILTER).", Errno.EPERM, e),
                    _ => new BpfAttachException($"Attaching program '{Name}' to {target} failed ({e.SocketErrorCode}: {e.Message}).", Name, target, 0, e),
                };
            }
        }
        return Object.Track(new BpfSocketFilterAttachment(this, socket));
    }
}
