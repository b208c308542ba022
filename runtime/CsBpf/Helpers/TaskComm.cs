using System.Runtime.CompilerServices;
using System.Text;

namespace CsBpf;

/// <summary>
/// A task's command name (<c>comm</c>, <c>TASK_COMM_LEN</c> = 16 bytes, NUL-padded), as filled by
/// <see cref="Bpf.GetCurrentComm"/>. Usable in map values; <see cref="ToString"/> decodes it on the host.
/// </summary>
[InlineArray(Length)]
public struct TaskComm
{
    /// <summary><c>TASK_COMM_LEN</c>.</summary>
    public const int Length = 16;

    private byte _element0;

    /// <summary>The name up to the first NUL, decoded as UTF-8.</summary>
    public override readonly string ToString()
    {
        ReadOnlySpan<byte> bytes = this;
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
