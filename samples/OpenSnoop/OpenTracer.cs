using System.Runtime.CompilerServices;
using System.Text;
using CsBpf;

namespace Samples.OpenSnoop;

/// <summary>An <c>openat()</c> in progress: what the entry saw, for the exit to report.</summary>
public struct PendingOpen
{
    /// <summary>The user-space address of the path.</summary>
    public ulong Path;

    /// <summary>The open flags (<c>O_RDONLY</c>, <c>O_CREAT</c>, …).</summary>
    public ulong Flags;
}

/// <summary>A path as read by <c>bpf_probe_read_user_str</c> (truncated to 255 bytes, NUL-terminated).</summary>
[InlineArray(256)]
public struct PathText
{
    private byte _element0;

    /// <summary>The text up to the first NUL (so the CLR prints the same message as the host).</summary>
    public override readonly string ToString()
    {
        ReadOnlySpan<byte> bytes = this;
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}

/// <summary>
/// opensnoop (BCC, libbpf-tools) in C#, reporting through <c>BpfLog</c>: each <c>openat()</c> becomes one log
/// call in the kernel, <c>BpfLog.Info($"...{path}...{fd}...")</c>, which the host receives as an
/// <c>ILogger</c> entry with <c>pid</c>, <c>comm</c>, <c>fd</c>, <c>errno</c>, <c>flags</c> and <c>path</c> as
/// structured properties. No ring buffer or event struct of our own: the compiler builds them from the message.
/// </summary>
[BpfProgram(License = "GPL")] // bpf_probe_read_user_str is GPL-only
[BpfLogOptions(BufferSize = 1 << 20)]
public static partial class OpenTracer
{
    /// <summary>No uid filter.</summary>
    public const uint AnyUid = uint.MaxValue;

    // Set by the host before Load(); the verifier sees them as constants.
    static readonly uint TargetPid;          // -p
    static readonly uint TargetUid = AnyUid; // -u
    static readonly bool FailedOnly;         // -x

    /// <summary>Thread id → its open in progress (the path is read at exit, when the call has run).</summary>
    [Map] static readonly HashMap<uint, PendingOpen> Pending = new(maxEntries: 10240);

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnEnter(ref readonly SysEnterOpenat record)
    {
        ulong pidTgid = Bpf.GetCurrentPidTgid();
        if (TargetPid != 0 && (uint)(pidTgid >> 32) != TargetPid) return 0;
        if (TargetUid != AnyUid && (uint)Bpf.GetCurrentUidGid() != TargetUid) return 0;
        PendingOpen open = default;
        open.Path = record.Filename;
        open.Flags = record.Flags;
        Pending.Update((uint)pidTgid, open);
        return 0;
    }

    [Tracepoint("syscalls", "sys_exit_openat")]
    static int OnExit(ref readonly SysExitOpenat record)
    {
        ulong pidTgid = Bpf.GetCurrentPidTgid();
        uint thread = (uint)pidTgid;
        if (!Pending.TryGetValue(thread, out PendingOpen open)) return 0; // filtered out, or entered before we attached
        Pending.Delete(thread);

        long result = record.Ret;
        if (FailedOnly && result >= 0) return 0;
        int fd = result >= 0 ? (int)result : -1;
        int errno = result >= 0 ? 0 : (int)-result;
        uint pid = (uint)(pidTgid >> 32);
        ulong flags = open.Flags;
        Bpf.GetCurrentComm(out TaskComm comm);
        Bpf.ProbeReadUserStr(out PathText path, open.Path); // still the caller's memory at syscall exit
        BpfLog.Info($"{comm} ({pid}) opened {path} flags {flags:x}: fd {fd} errno {errno}");
        return 0;
    }
}
