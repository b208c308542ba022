using System.Globalization;

namespace CsBpf.Runtime.Native;

/// <summary>What the current process may do with bpf(2): its effective uid and the relevant capabilities.</summary>
/// <param name="EffectiveUid">From <c>geteuid()</c>.</param>
/// <param name="HasCapBpf"><c>CAP_BPF</c> (39, Linux ≥ 5.8) in the effective set.</param>
/// <param name="HasCapPerfmon"><c>CAP_PERFMON</c> (38, Linux ≥ 5.8) in the effective set.</param>
/// <param name="HasCapSysAdmin"><c>CAP_SYS_ADMIN</c> (21), which implies both on any kernel.</param>
internal readonly record struct Privileges(uint EffectiveUid, bool HasCapBpf, bool HasCapPerfmon, bool HasCapSysAdmin)
{
    private const int CapSysAdmin = 21, CapPerfmon = 38, CapBpf = 39;

    /// <summary>True when the kernel should let this process load and attach tracing programs.</summary>
    public bool CanLoadTracing => HasCapSysAdmin || (HasCapBpf && HasCapPerfmon);

    /// <summary>Reads <c>CapEff</c> from <c>/proc/self/status</c> (capabilities, not uid 0, are what the kernel checks).</summary>
    public static Privileges Current()
    {
        var uid = LibC.geteuid();
        ulong caps = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                {
                    caps = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    break;
                }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            caps = uid == 0 ? ulong.MaxValue : 0; // no procfs: assume root has everything
        }
        return new Privileges(uid, Has(caps, CapBpf), Has(caps, CapPerfmon), Has(caps, CapSysAdmin));
    }

    /// <summary>"uid 0 (root) with CAP_SYS_ADMIN" / "uid 1000 without CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN".</summary>
    public string Describe()
    {
        var who = EffectiveUid == 0 ? "uid 0 (root)" : $"uid {EffectiveUid}";
        var held = new List<string>();
        if (HasCapBpf) held.Add("CAP_BPF");
        if (HasCapPerfmon) held.Add("CAP_PERFMON");
        if (HasCapSysAdmin) held.Add("CAP_SYS_ADMIN");
        return held.Count == 0 ? $"{who} without CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN" : $"{who} with {string.Join(", ", held)}";
    }

    private static bool Has(ulong caps, int bit) => (caps & (1UL << bit)) != 0;
}
