using System.Runtime.InteropServices;

namespace CsBpf;

// The current task: its task_struct, cgroup and identity in a PID namespace.
public static partial class Bpf
{
    /// <summary>
    /// <c>bpf_get_current_task</c> (helper 35, Linux 4.8): the address of the current <c>struct task_struct</c>
    /// as a number, to read its fields with <see cref="ProbeReadKernel{T}(out T, ulong)"/>. On the CLR there is
    /// no kernel address to give: 0.
    /// </summary>
    [BpfHelper(35, GplOnly = true)]
    public static ulong GetCurrentTask() => 0;

    /// <summary>
    /// <c>bpf_get_current_task_btf</c> (helper 158, Linux 5.11): the current <c>struct task_struct</c> as a
    /// BTF-typed pointer (the same address as <see cref="GetCurrentTask"/>), which BTF-aware helpers and kfuncs
    /// accept. On the CLR: 0.
    /// </summary>
    [BpfHelper(158, GplOnly = true)]
    public static nuint GetCurrentTaskBtf() => 0;

    /// <summary>
    /// <c>bpf_get_current_cgroup_id</c> (helper 80, Linux 4.18): the id of the current task's cgroup v2 (the
    /// inode number of its directory under <c>/sys/fs/cgroup</c>).
    /// </summary>
    [BpfHelper(80)]
    public static ulong GetCurrentCgroupId() => CgroupInode(CurrentCgroupPath());

    /// <summary>
    /// <c>bpf_get_current_ancestor_cgroup_id</c> (helper 123, Linux 5.7): the id of the current task's cgroup
    /// ancestor at <paramref name="level"/> (0 is the root cgroup), or 0 when the cgroup is not that deep.
    /// </summary>
    [BpfHelper(123)]
    public static ulong GetCurrentAncestorCgroupId(int level)
    {
        string[] parts = CurrentCgroupPath().Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (level < 0 || level > parts.Length) return 0;
        return CgroupInode("/" + string.Join('/', parts.Take(level)));
    }

    /// <summary>
    /// <c>bpf_get_ns_current_pid_tgid</c> (helper 120, Linux 5.7): the current task's pid and tgid as seen in the
    /// PID namespace whose <c>/proc/self/ns/pid</c> has device <paramref name="device"/> and inode
    /// <paramref name="inode"/> (e.g. a container's). Returns 0, or a negative errno (-EINVAL when the task is
    /// not in that namespace) with <paramref name="info"/> zeroed.
    /// </summary>
    [BpfHelper(120, AppendSizeOfRefArguments = true)]
    public static long GetNsCurrentPidTgid(ulong device, ulong inode, out PidNamespaceInfo info)
    {
        info = default;
        if (StatDeviceInode("/proc/self/ns/pid", out ulong dev, out ulong ino) != 0 || dev != device || ino != inode) return -22;
        info.Tgid = (uint)Environment.ProcessId;
        info.Pid = (uint)gettid();
        return 0;
    }

    private static string CurrentCgroupPath()
    {
        foreach (string line in File.ReadLines("/proc/self/cgroup"))
            if (line.StartsWith("0::", StringComparison.Ordinal)) return line[3..];
        return "/";
    }

    private static ulong CgroupInode(string cgroupPath) =>
        StatDeviceInode("/sys/fs/cgroup" + (cgroupPath == "/" ? "" : cgroupPath), out _, out ulong ino) == 0 ? ino : 0;

    /// <summary>The device and inode of <paramref name="path"/> (<c>statx</c>: device as the kernel's
    /// <c>new_encode_dev</c>, which is what the namespace helpers compare).</summary>
    private static unsafe int StatDeviceInode(string path, out ulong device, out ulong inode)
    {
        byte* buffer = stackalloc byte[256];
        int r = statx(-100 /* AT_FDCWD */, path, 0, 0x100 /* STATX_INO */, buffer);
        uint major = *(uint*)(buffer + 0x88), minor = *(uint*)(buffer + 0x8c);
        inode = *(ulong*)(buffer + 0x20);
        device = (minor & 0xff) | (major << 8) | ((ulong)(minor & ~0xffu) << 12);
        return r;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    [DllImport("libc")]
    private static extern int gettid();
}
