using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>
/// A cgroup v2 group of its own (unique name) and a way to run a shell command inside it: the shell moves itself
/// into the group before running the command, so everything the command does is the group's. Removed on Dispose.
/// </summary>
internal sealed class TestCgroup : IDisposable
{
    private static readonly Lazy<string> s_root = new(() =>
        File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1]
        ?? throw new InvalidOperationException("no cgroup2 filesystem is mounted (see /proc/self/mounts)"));

    private TestCgroup(string path) => Path = path;

    /// <summary>The group's directory.</summary>
    public string Path { get; }

    public static TestCgroup Create()
    {
        KernelEnvironment.Require();
        string path = System.IO.Path.Combine(s_root.Value, $"csbpf-net-{Environment.ProcessId}-{Random.Shared.Next(0x100000):x5}");
        Directory.CreateDirectory(path);
        return new TestCgroup(path);
    }

    /// <summary>Runs <paramref name="script"/> with bash inside the group; returns its exit code and output.</summary>
    public (int ExitCode, string Output) Run(string script) =>
        ProcessRunner.Run("bash", ["-c", $"echo $$ > {Path}/cgroup.procs && {script}"], timeoutSeconds: 60);

    public void Dispose()
    {
        // The shells have exited, so the group is empty and can be removed.
        for (int attempt = 0; attempt < 50 && Directory.Exists(Path); attempt++)
        {
            try { Directory.Delete(Path); }
            catch (IOException) { Thread.Sleep(20); }
        }
    }
}
