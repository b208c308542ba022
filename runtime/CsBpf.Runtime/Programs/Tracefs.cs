using CsBpf.Runtime.Native;
using System.Runtime.InteropServices;

namespace CsBpf.Runtime;

/// <summary>
/// tracefs lookups for tracepoint attachment. libbpf resolves a tracepoint by reading
/// <c>&lt;tracefs&gt;/events/&lt;category&gt;/&lt;name&gt;/id</c>; when that file is missing the kernel error is
/// a bare ENOENT, so the runtime checks first and explains which of the two is missing: tracefs or the event.
/// </summary>
internal static class Tracefs
{
    /// <summary>Where tracefs is mounted on current systems.</summary>
    public const string MountPoint = "/sys/kernel/tracing";

    /// <summary>Tracepoint events under the tracefs mount.</summary>
    public const string EventsDirectory = MountPoint + "/events";

    /// <summary>The legacy location (tracefs automounted inside debugfs), which libbpf 1.1 prefers when present.</summary>
    public const string DebugfsEventsDirectory = "/sys/kernel/debug/tracing/events";

    private static readonly string[] s_sectionPrefixes = ["tracepoint/", "tp/"];
    private static readonly object s_mountGate = new();

    /// <summary>Splits <c>tracepoint/&lt;category&gt;/&lt;name&gt;</c> (or <c>tp/...</c>), libbpf's auto-attach tracepoint sections.</summary>
    public static bool TryParseSection(string sectionName, out string category, out string name)
    {
        foreach (var prefix in s_sectionPrefixes)
        {
            if (!sectionName.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = sectionName.AsSpan(prefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0 && slash < rest.Length - 1)
            {
                category = rest[..slash].ToString();
                name = rest[(slash + 1)..].ToString();
                return true;
            }
        }
        category = name = "";
        return false;
    }

    /// <summary>Throws <see cref="BpfAttachException"/> unless tracefs is mounted and the tracepoint exists.</summary>
    public static void RequireTracepoint(string programName, string category, string name)
    {
        ValidateComponent(category, nameof(category));
        ValidateComponent(name, nameof(name));
        var events = RequireEvents(programName, $"{category}/{name}");
        if (!Directory.Exists(Path.Combine(events, category, name)))
            throw BpfErrors.TracepointMissing(programName, category, name, events);
    }

    /// <summary>The tracefs events directory, mounting tracefs first when absent and running as root.</summary>
    private static string RequireEvents(string programName, string target)
    {
        if (FindEvents() is { } events) return events;
        string failure;
        lock (s_mountGate)
        {
            if (FindEvents() is { } mountedMeanwhile) return mountedMeanwhile;
            if (LibC.geteuid() != 0)
            {
                failure = "not running as root";
            }
            else if (LibC.mount("tracefs", MountPoint, "tracefs", 0, 0) != 0)
            {
                failure = Errno.Describe(Marshal.GetLastPInvokeError());
            }
            else
            {
                // A user running as root expects tracepoints to just work; mounting tracefs is what they would do.
                if (FindEvents() is { } mounted) return mounted;
                failure = $"mounted, but {EventsDirectory} is still missing";
            }
        }
        throw BpfErrors.TracefsMissing(programName, target, failure);
    }

    private static string? FindEvents() =>
        Directory.Exists(EventsDirectory) ? EventsDirectory :
        Directory.Exists(DebugfsEventsDirectory) ? DebugfsEventsDirectory : null;

    private static void ValidateComponent(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Contains('/') || value is "." or "..")
            throw new ArgumentException($"'{value}' is not a tracepoint {parameter}: it must be one path component such as 'syscalls' or 'sys_enter_openat'.", parameter);
    }
}
