using System.Reflection;
using CsBpf;
using CsBpf.TestSupport;
using Xunit.Abstractions;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// The <c>Programs</c> and <c>GplOnly</c> of every <c>[BpfHelper]</c> stub agree with this kernel: each helper
/// is called from each program type that can be loaded here, and the verifier's answer (offered or not,
/// GPL-only or not) is compared with the attribute. fentry/fexit/LSM (BPF_PROG_TYPE_TRACING/LSM) cannot be
/// loaded on this host; their availability comes from kernel/trace/bpf_trace.c (tracing_prog_func_proto).
/// </summary>
public class HelperAvailabilityTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every helper, one entry per helper id. Several typed stubs may share an id (bpf_redirect is
    /// <c>Bpf.XdpRedirect</c> for XDP and <c>Bpf.TcRedirect</c> for tc, each offered only where its return type
    /// means something): their <c>Programs</c> together must be what the kernel offers, and they must agree on
    /// <c>GplOnly</c>.
    /// </summary>
    internal static IReadOnlyList<(int Id, string Name, BpfHelperAttribute Attribute)> Helpers()
    {
        var byId = new SortedDictionary<int, (string Name, BpfHelperAttribute Attribute)>();
        foreach (MethodInfo m in typeof(Bpf).Assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static)))
        {
            if (m.GetCustomAttribute<BpfHelperAttribute>() is not { } a) continue;
            string name = $"{m.DeclaringType!.Name}.{m.Name}";
            if (byId.TryGetValue(a.Id, out var known))
            {
                Assert.True(known.Attribute.GplOnly == a.GplOnly, $"stubs of helper {a.Id} ({known.Name}, {name}) disagree on GplOnly");
                if (known.Name.Split(", ").Contains(name) && known.Attribute.Programs == a.Programs) continue; // an overload
                var union = new BpfHelperAttribute(a.Id) { Programs = known.Attribute.Programs | a.Programs, GplOnly = a.GplOnly };
                byId[a.Id] = (known.Name.Split(", ").Contains(name) ? known.Name : known.Name + ", " + name, union);
                continue;
            }
            byId[a.Id] = (name, a);
        }
        return [.. byId.Select(kv => (kv.Key, kv.Value.Name, kv.Value.Attribute))];
    }

    [Fact]
    public void Every_helper_is_offered_to_exactly_the_program_types_its_attribute_lists()
    {
        KernelEnvironment.Require();
        var testable = KernelHelperProbe.ProgramTypes
            .Where(t => t.AttachTypes.Any(a => KernelHelperProbe.Load(t.Number, a, t.Flags, -1, "GPL").Loaded)).ToList();
        // Every type this host can load must be probed (a regression here would silently shrink the test).
        Assert.Equal(KernelHelperProbe.ProgramTypes.Length, testable.Count);

        var mismatches = new List<string>();
        foreach (var (id, name, attribute) in Helpers())
        {
            foreach (var (type, number, attachTypes, flags) in testable)
            {
                bool offered = attachTypes.Any(a => !KernelHelperProbe.Load(number, a, flags, id, "GPL").HelperUnavailable);
                bool declared = (attribute.Programs & type) != 0;
                if (KernelConfigWithholds(id)) declared = false;
                if (offered != declared)
                    mismatches.Add($"{name} (helper {id}) for {type}: kernel {(offered ? "offers" : "refuses")} it, attribute says {(declared ? "available" : "unavailable")}");
            }
        }
        foreach (string m in mismatches) output.WriteLine(m);
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public void GplOnly_matches_the_kernels_gpl_only_flag()
    {
        KernelEnvironment.Require();
        var mismatches = new List<string>();
        int checkedHelpers = 0;
        foreach (var (id, name, attribute) in Helpers())
        {
            var offering = KernelHelperProbe.ProgramTypes
                .SelectMany(t => t.AttachTypes.Select(a => (t.Number, Attach: a, t.Flags)))
                .FirstOrDefault(t => !KernelHelperProbe.Load(t.Number, t.Attach, t.Flags, id, "GPL").HelperUnavailable);
            if (offering.Number == 0) continue; // offered to no type loadable here (e.g. override_return without CONFIG_BPF_KPROBE_OVERRIDE)
            checkedHelpers++;
            bool gplOnly = KernelHelperProbe.Load(offering.Number, offering.Attach, offering.Flags, id, "Proprietary").GplRefused;
            if (gplOnly != attribute.GplOnly)
                mismatches.Add($"{name} (helper {id}): kernel gpl_only = {gplOnly}, attribute GplOnly = {attribute.GplOnly}");
        }
        Assert.True(checkedHelpers >= 25, $"only {checkedHelpers} helpers could be checked");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    /// <summary>bpf_override_return exists only in kernels built with CONFIG_BPF_KPROBE_OVERRIDE (this host's is not).</summary>
    private static bool KernelConfigWithholds(int helperId) =>
        helperId == 58 && !KernelConfig.Contains("CONFIG_BPF_KPROBE_OVERRIDE=y");

    private static readonly Lazy<string> s_config = new(() =>
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead("/proc/config.gz"), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        return reader.ReadToEnd();
    });

    private static string KernelConfig => s_config.Value;
}
