namespace CsBpf;

/// <summary><c>struct bpf_pidns_info</c>: a task's ids in a PID namespace, filled by <see cref="Bpf.GetNsCurrentPidTgid"/>.</summary>
public struct PidNamespaceInfo
{
    /// <summary>The thread id in the namespace.</summary>
    public uint Pid;

    /// <summary>The thread-group (process) id in the namespace.</summary>
    public uint Tgid;
}
