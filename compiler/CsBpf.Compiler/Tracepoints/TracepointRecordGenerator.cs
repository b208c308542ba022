namespace CsBpf.Compiler.Tracepoints;

/// <summary>
/// <c>csbpfc tracepoint &lt;category&gt; &lt;name&gt;</c>: reads the event's format from tracefs and writes its
/// C# record struct (<see cref="TracepointRecordWriter"/>).
/// </summary>
public static class TracepointRecordGenerator
{
    /// <summary>Where tracefs is mounted on current systems; the debugfs location is tried next.</summary>
    public static readonly string[] TracefsRoots = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    /// <summary>The C# record struct of <paramref name="category"/>/<paramref name="name"/> on this machine.</summary>
    /// <exception cref="FileNotFoundException">tracefs is not mounted, or there is no such event (the message says which).</exception>
    public static string FromTracefs(string category, string name, string? typeName = null, string? @namespace = null, string? tracefsRoot = null)
    {
        if (!IsComponent(category) || !IsComponent(name))
            throw new ArgumentException($"'{category}/{name}' is not a tracepoint: give a category and a name such as 'syscalls sys_enter_openat'");
        string? root = tracefsRoot ?? TracefsRoots.FirstOrDefault(r => Directory.Exists(Path.Combine(r, "events")));
        if (root is null)
            throw new FileNotFoundException($"tracefs is not mounted (looked in {string.Join(" and ", TracefsRoots)}): mount it with 'mount -t tracefs tracefs /sys/kernel/tracing' (as root)");
        string format = Path.Combine(root, "events", category, name, "format");
        if (!File.Exists(format))
        {
            string categoryDir = Path.Combine(root, "events", category);
            string hint = Directory.Exists(categoryDir)
                ? $"category '{category}' has no event '{name}' (list them with 'ls {categoryDir}')"
                : $"there is no category '{category}' (list them with 'ls {Path.Combine(root, "events")}')";
            throw new FileNotFoundException($"{format} does not exist: {hint}", format);
        }
        return TracepointRecordWriter.Write(category, name, TracepointFormat.Parse(File.ReadAllText(format)), typeName, @namespace);
    }

    private static bool IsComponent(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && s is not "." and not "..";
}
