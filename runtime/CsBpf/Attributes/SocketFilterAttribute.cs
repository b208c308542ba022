namespace CsBpf;

/// <summary>
/// A socket filter (<c>BPF_PROG_TYPE_SOCKET_FILTER</c>, section <c>socket</c>): runs for every packet queued to
/// the socket it is attached to (<c>SO_ATTACH_BPF</c>) and returns how many bytes of it to keep: 0 drops the
/// packet, a value at least its length keeps all of it. The method must be
/// <c>static int M(SkBuffContext ctx)</c>; for a UDP or TCP socket the packet starts at the transport header.
/// Socket filters cannot read packet memory directly: use <see cref="SkBuffContext.LoadBytes{T}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[BpfProgramKind(BpfProgramTypes.SocketFilter)]
public sealed class SocketFilterAttribute : Attribute
{
}
