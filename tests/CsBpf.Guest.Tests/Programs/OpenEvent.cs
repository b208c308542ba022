using CsBpf;

namespace CsBpf.Guest.Tests.Programs;

/// <summary>
/// What the open probes record for the target thread's last <c>do_sys_openat2</c> call. Same layout as
/// <c>struct open_event</c> in Fixtures/probes_common.h, so one test reads either version.
/// </summary>
public struct OpenEvent
{
    /// <summary>Entry probe runs.</summary>
    public ulong Entries;
    /// <summary>Argument 1 (<c>int dfd</c>) seen at entry.</summary>
    public long Dfd;
    /// <summary>Argument 2 (<c>const char __user *filename</c>) seen at entry.</summary>
    public ulong Filename;
    /// <summary>Return probe runs.</summary>
    public ulong Returns;
    /// <summary>The return value (the new fd or a negative errno).</summary>
    public long Ret;
    /// <summary>Argument 1 seen by fexit (a kretprobe cannot see arguments).</summary>
    public long ExitDfd;
    /// <summary>Argument 2 seen by fexit.</summary>
    public ulong ExitFilename;
}

/// <summary>Counts of the LSM program's decisions (<c>struct lsm_stats</c> in Fixtures/lsm_deny.bpf.c).</summary>
public struct LsmStats
{
    /// <summary>Opens denied (the target thread's).</summary>
    public ulong Denied;
    /// <summary>Opens allowed (everyone else's).</summary>
    public ulong Allowed;
}
