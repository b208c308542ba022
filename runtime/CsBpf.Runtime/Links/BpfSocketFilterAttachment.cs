using System.Net.Sockets;

namespace CsBpf.Runtime;

/// <summary>
/// A socket filter attached to a socket with <c>SO_ATTACH_BPF</c>. Disposing it detaches the filter
/// (<c>SO_DETACH_BPF</c>) if the socket is still open; closing the socket detaches it too.
/// </summary>
public sealed class BpfSocketFilterAttachment : BpfAttachment
{
    private readonly Socket _socket;

    internal BpfSocketFilterAttachment(BpfProgramHandle program, Socket socket)
        : base(program, $"socket {socket.LocalEndPoint?.ToString() ?? socket.AddressFamily.ToString()}")
    {
        _socket = socket;
    }

    /// <summary>The socket.</summary>
    public Socket Socket => _socket;

    private protected override void Detach(bool disposing)
    {
        // The Socket object (not a raw fd number) is used, so a closed socket's reused fd is never touched.
        if (!disposing) return; // finalizer: the socket may be finalized too; its close detaches the filter
        try
        {
            _socket.SetRawSocketOption(BpfProgramHandle.SolSocket, BpfProgramHandle.SoDetachBpf, stackalloc byte[4]);
        }
        catch (ObjectDisposedException)
        {
            // Closed already: the kernel dropped the filter with the socket.
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.SocketError)
        {
            // ENOENT: no filter any more (replaced by another SO_ATTACH_BPF, or detached by someone else).
        }
    }
}
