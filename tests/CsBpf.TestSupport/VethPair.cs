using System.Runtime.InteropServices;
namespace CsBpf.TestSupport;

/// <summary>
/// A network namespace of its own with a veth pair: <see cref="HostInterface"/> (address <see cref="HostAddress"/>)
/// stays in the test's namespace, <see cref="PeerInterface"/> (<see cref="PeerAddress"/>) lives in
/// <see cref="Namespace"/>. Packets sent from the namespace (<see cref="InNamespace{T}"/>) to the host address
/// arrive on the host interface's receive path, and the other way round. Names and the /30 subnet are unique per
/// instance (other tests create pairs concurrently); everything is deleted on <see cref="Dispose"/>.
/// </summary>
public sealed partial class VethPair : IDisposable
{
    private VethPair(string suffix, int subnet)
    {
        Namespace = "csbpf-net-" + suffix;
        HostInterface = "cbh" + suffix;
        PeerInterface = "cbp" + suffix;
        HostAddress = $"10.{200 + subnet / 16384 % 50}.{subnet / 64 % 256}.{subnet % 64 * 4 + 1}";
        PeerAddress = $"10.{200 + subnet / 16384 % 50}.{subnet / 64 % 256}.{subnet % 64 * 4 + 2}";
    }

    /// <summary>The namespace's name (<c>ip netns</c>).</summary>
    public string Namespace { get; }

    /// <summary>The end in the test's own namespace.</summary>
    public string HostInterface { get; }

    /// <summary>The end inside <see cref="Namespace"/>.</summary>
    public string PeerInterface { get; }

    /// <summary>The IPv4 address of <see cref="HostInterface"/>.</summary>
    public string HostAddress { get; }

    /// <summary>The IPv4 address of <see cref="PeerInterface"/>.</summary>
    public string PeerAddress { get; }

    /// <summary>Creates the namespace and the pair, both ends up and addressed (fails the test if the kernel cannot).</summary>
    public static VethPair Create()
    {
        KernelEnvironment.Require();
        string suffix = $"{Environment.ProcessId % 0x1000:x3}{Random.Shared.Next(0x1000):x3}";
        var pair = new VethPair(suffix, Random.Shared.Next(50 * 256 * 64));
        try
        {
            Ip("netns", "add", pair.Namespace);
            Ip("link", "add", pair.HostInterface, "type", "veth", "peer", "name", pair.PeerInterface, "netns", pair.Namespace);
            Ip("addr", "add", pair.HostAddress + "/30", "dev", pair.HostInterface);
            Ip("link", "set", pair.HostInterface, "up");
            Ip("-n", pair.Namespace, "addr", "add", pair.PeerAddress + "/30", "dev", pair.PeerInterface);
            Ip("-n", pair.Namespace, "link", "set", pair.PeerInterface, "up");
            Ip("-n", pair.Namespace, "link", "set", "lo", "up");
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> on a thread inside the namespace (sockets it creates belong there).</summary>
    public T InNamespace<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int fd = open($"/var/run/netns/{Namespace}", 0);
                if (fd < 0) throw new InvalidOperationException($"cannot open namespace {Namespace}: errno {Marshal.GetLastPInvokeError()}");
                try
                {
                    if (setns(fd, CloneNewNet) != 0) throw new InvalidOperationException($"setns {Namespace}: errno {Marshal.GetLastPInvokeError()}");
                }
                finally { close(fd); }
                result = action();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException($"in namespace {Namespace}: {failure.Message}", failure);
        return result;
    }

    /// <summary>Runs <paramref name="action"/> on a thread inside the namespace.</summary>
    public void InNamespace(Action action) => InNamespace(() => { action(); return 0; });

    /// <summary>Deletes the pair and the namespace.</summary>
    public void Dispose()
    {
        Run("ip", "link", "del", HostInterface);
        Run("ip", "netns", "del", Namespace);
    }

    private static void Ip(params string[] args)
    {
        var (exit, output) = ProcessRunner.Run("ip", args);
        if (exit != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({exit}): {output}");
    }

    private static void Run(string file, params string[] args) => ProcessRunner.Run(file, args);

    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
