using System.Runtime.CompilerServices;
using System.Text;
using CsBpf;

namespace Samples.ExecSnoop;

/// <summary>What an <see cref="ExecEvent"/> carries.</summary>
public enum ExecEventKind
{
    /// <summary>One argument of an <c>execve()</c> in progress: the filename first, then <c>argv[1]</c>, <c>argv[2]</c>…</summary>
    Argument = 0,

    /// <summary>More arguments than the tool reads: print <c>...</c>.</summary>
    Truncated = 1,

    /// <summary><c>execve()</c> returned; ends the process's list of arguments.</summary>
    Return = 2,
}

/// <summary>
/// One ring buffer record. An exec is a run of records from the same process: its arguments (read at syscall
/// entry, while <c>argv</c> still exists), then the return (at syscall exit, with the new command name).
/// This is BCC's execsnoop.py design: fixed-size records, so each string is read with one
/// <c>bpf_probe_read_user_str</c> into its own buffer, and the host puts them together.
/// </summary>
public struct ExecEvent
{
    /// <summary>Argument, truncation mark or return.</summary>
    public ExecEventKind Kind;

    /// <summary>The process (thread group) id.</summary>
    public uint Pid;

    /// <summary>The parent's process id (<c>task-&gt;real_parent-&gt;tgid</c>); set on <see cref="ExecEventKind.Return"/>.</summary>
    public uint Ppid;

    /// <summary>The real user id; set on <see cref="ExecEventKind.Return"/>.</summary>
    public uint Uid;

    /// <summary><c>execve()</c>'s return value: 0 or a negative errno; set on <see cref="ExecEventKind.Return"/>.</summary>
    public int ReturnValue;

    /// <summary>The command name: the new program's after a successful exec.</summary>
    public TaskComm Comm;

    /// <summary>The argument, NUL-terminated (truncated to <see cref="ArgumentText.Length"/> - 1 bytes).</summary>
    public ArgumentText Argument;
}

/// <summary>An argument string as read by <c>bpf_probe_read_user_str</c> (BCC's <c>ARGSIZE</c>).</summary>
[InlineArray(Length)]
public struct ArgumentText
{
    /// <summary>Bytes per argument, NUL included.</summary>
    public const int Length = 128;

    private byte _element0;

    /// <summary>The text up to the first NUL, decoded as UTF-8.</summary>
    public override readonly string ToString()
    {
        ReadOnlySpan<byte> bytes = this;
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
