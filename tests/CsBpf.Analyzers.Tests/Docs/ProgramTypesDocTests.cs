using System.Reflection;
using System.Text.RegularExpressions;
using CsBpf.TestSupport;

namespace CsBpf.Analyzers.Tests.Docs;

/// <summary>docs/program-types.md stays true: every program attribute has a row, and every test a row names
/// exists (a method of that name in a class of that name somewhere under tests/).</summary>
public class ProgramTypesDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "program-types.md"));

    /// <summary>The table rows: attribute name and the tests cell.</summary>
    private static IReadOnlyList<(string Attribute, string Tests)> Rows() =>
        [.. Doc.Split('\n')
            .Select(line => Regex.Match(line, @"^\|\s*`\[(?<attr>[A-Za-z]+)(\(.*?\))?\]`\s*\|.*\|\s*(?<tests>[^|]*)\|\s*$"))
            .Where(m => m.Success)
            .Select(m => (m.Groups["attr"].Value, m.Groups["tests"].Value))];

    [Fact]
    public void Every_program_attribute_has_a_row()
    {
        var attributes = typeof(BpfProgramKindAttribute).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<BpfProgramKindAttribute>() is not null)
            .Select(t => t.Name[..^"Attribute".Length])
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(attributes);
        var rows = Rows().Select(r => r.Attribute).ToHashSet();
        var missing = attributes.Where(a => !rows.Contains(a)).ToList();
        Assert.True(missing.Count == 0, "program attributes without a row in docs/program-types.md: " + string.Join(", ", missing));
        Assert.Equal(rows.Count, Rows().Count); // one row per attribute
    }

    [Fact]
    public void Every_named_test_exists()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText)
            .ToList();
        var missing = new List<string>();
        int named = 0;
        foreach (var (attribute, tests) in Rows())
        {
            var names = Regex.Matches(tests, @"(?<class>[A-Za-z_][A-Za-z0-9_]*)\.(?<method>[A-Za-z_][A-Za-z0-9_]*)").ToList();
            Assert.True(names.Count > 0, $"[{attribute}] names no test");
            foreach (Match name in names)
            {
                named++;
                string cls = name.Groups["class"].Value, method = name.Groups["method"].Value;
                bool found = sources.Any(s => Regex.IsMatch(s, $@"\bclass {cls}\b") && Regex.IsMatch(s, $@"\b(void|Task|ValueTask)\s+{method}\s*\("));
                if (!found) missing.Add($"[{attribute}]: {cls}.{method}");
            }
        }
        Assert.True(named > 10, $"only {named} tests named");
        Assert.True(missing.Count == 0, "tests named in docs/program-types.md that do not exist:\n" + string.Join("\n", missing));
    }
}
