namespace CsBpf.Runtime.Tests;

/// <summary>Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup on unified systems, /sys/fs/cgroup/unified on hybrid ones).</summary>
internal static class Cgroup2
{
    private static readonly Lazy<string> s_root = new(() =>
        File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1]
        ?? throw new InvalidOperationException("no cgroup2 filesystem is mounted (see /proc/self/mounts): mount one with `mount -t cgroup2 none /sys/fs/cgroup`"));

    public static string Root => s_root.Value;
}
