using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit.Abstractions;

namespace CsBpf.KernelMatrix.Tests;

/// <summary>
/// One host test per guest test method: it passes when every result of that method in the guest (one per
/// theory case) passed, and prints each case. Failures show the guest's message and stack trace.
/// </summary>
[Collection(GuestCollection.Name)]
public sealed class GuestTests(GuestRun guest, ITestOutputHelper output)
{
    /// <summary>
    /// The [Fact]/[Theory] methods of CsBpf.Guest.Tests, read from its metadata (not loaded, and without booting
    /// the VM, so listing the tests is cheap). Theory cases are expanded by the guest run.
    /// </summary>
    public static TheoryData<GuestTestName> GuestTestMethods()
    {
        var data = new TheoryData<GuestTestName>();
        foreach (var name in ReadTestMethods(GuestRun.GuestAssembly)) data.Add(new GuestTestName(name));
        return data;
    }

    [Theory]
    [MemberData(nameof(GuestTestMethods))]
    public void Passes_in_the_6_1_guest(GuestTestName name)
    {
        guest.Require();
        var test = name.Value;
        var className = "CsBpf.Guest.Tests." + test[..test.LastIndexOf('.')];
        var method = test[(test.LastIndexOf('.') + 1)..];
        var results = guest.Results.Where(r => r.ClassName == className && r.MethodName == method).ToList();
        Assert.True(results.Count > 0,
            $"the guest run has no result for {className}.{method} (guest.trx lists {guest.Results.Count} results); see {GuestRun.ResultsDirectory}/guest.log");

        output.WriteLine($"Linux {guest.KernelRelease} guest:");
        foreach (var r in results)
        {
            output.WriteLine($"  {r.Outcome,-8} {r.DisplayName} [{r.Duration.TotalMilliseconds:0} ms]");
            if (r.Output.Length > 0) output.WriteLine("    " + r.Output.Trim().Replace("\n", "\n    "));
        }
        var failed = results.Where(r => r.Outcome != "Passed").ToList();
        Assert.True(failed.Count == 0,
            string.Join("\n\n", failed.Select(r => $"{r.DisplayName}: {r.Outcome} in the Linux {guest.KernelRelease} guest\n{r.Message}")));
    }

    [Fact]
    public void Every_guest_test_ran()
    {
        guest.Require();
        var expected = ReadTestMethods(GuestRun.GuestAssembly).Select(t => "CsBpf.Guest.Tests." + t).ToHashSet();
        var ran = guest.Results.Select(r => $"{r.ClassName}.{r.MethodName}").ToHashSet();
        output.WriteLine($"{guest.Results.Count} guest results in {guest.Elapsed.TotalSeconds:0} s (boot + dotnet test):\n{guest.RunnerLog}");
        Assert.Empty(expected.Except(ran));
    }

    private static IEnumerable<string> ReadTestMethods(string assembly)
    {
        if (!File.Exists(assembly)) return ["(CsBpf.Guest.Tests.dll is not built: " + assembly + ")"];
        using var pe = new PEReader(File.OpenRead(assembly));
        var md = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            var ns = md.GetString(type.Namespace);
            if (ns != "CsBpf.Guest.Tests") continue;
            foreach (var methodHandle in type.GetMethods())
            {
                var m = md.GetMethodDefinition(methodHandle);
                if (m.GetCustomAttributes().Any(a => AttributeName(md, md.GetCustomAttribute(a)) is "Xunit.FactAttribute" or "Xunit.TheoryAttribute"))
                    names.Add($"{md.GetString(type.Name)}.{md.GetString(m.Name)}");
            }
        }
        return names.Order(StringComparer.Ordinal);
    }

    private static string? AttributeName(MetadataReader md, CustomAttribute attribute)
    {
        EntityHandle type;
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
            type = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
            type = md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        else return null;
        return type.Kind switch
        {
            HandleKind.TypeReference => md.GetTypeReference((TypeReferenceHandle)type) is var r ? $"{md.GetString(r.Namespace)}.{md.GetString(r.Name)}" : null,
            HandleKind.TypeDefinition => md.GetTypeDefinition((TypeDefinitionHandle)type) is var d ? $"{md.GetString(d.Namespace)}.{md.GetString(d.Name)}" : null,
            _ => null,
        };
    }
}

/// <summary>
/// A guest test's "Class.Method", as a theory argument that xunit shows in full (it cuts string arguments
/// after 50 characters, which would hide the method name).
/// </summary>
public sealed class GuestTestName : IXunitSerializable
{
    public GuestTestName() => Value = "";

    public GuestTestName(string value) => Value = value;

    public string Value { get; private set; }

    public void Deserialize(IXunitSerializationInfo info) => Value = info.GetValue<string>(nameof(Value));

    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Value), Value);

    public override string ToString() => Value;
}
