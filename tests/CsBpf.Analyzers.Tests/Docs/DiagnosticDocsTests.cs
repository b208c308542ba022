using System.Text.RegularExpressions;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace CsBpf.Analyzers.Tests.Docs;

/// <summary>Every diagnostic has a docs page its help link points at, and is tracked in the analyzer
/// release files.</summary>
public class DiagnosticDocsTests
{
    private static readonly string DocsDirectory = Path.Combine(RepoPaths.Root, "docs", "diagnostics");

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var d in BpfDiagnostics.All) data.Add(d.Id);
        return data;
    }

    private static DiagnosticDescriptor Descriptor(string id) => BpfDiagnostics.All.Single(d => d.Id == id);

    [Fact]
    public void All_lists_every_public_descriptor_once()
    {
        var declared = typeof(BpfDiagnostics).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .Select(d => d.Id)
            .OrderBy(id => id)
            .ToArray();
        var all = BpfDiagnostics.All.Select(d => d.Id).OrderBy(id => id).ToArray();
        Assert.Equal(declared, all);
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Has_a_docs_page(string id)
    {
        var page = Path.Combine(DocsDirectory, id + ".md");
        Assert.True(File.Exists(page), $"missing docs page {page}");
        var text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: ", text);
        Assert.Contains("## Cause", text);
        Assert.Contains("## Example", text);
        Assert.Contains("## How to fix", text);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Help_link_points_at_the_docs_page(string id)
    {
        var link = Descriptor(id).HelpLinkUri;
        Assert.EndsWith($"docs/diagnostics/{id}.md", link);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Docs_page_title_matches_the_descriptor(string id)
    {
        var firstLine = File.ReadLines(Path.Combine(DocsDirectory, id + ".md")).First();
        Assert.Equal($"# {id}: {Descriptor(id).Title}", firstLine);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Is_in_the_analyzer_release_tracking_files(string id)
    {
        var dir = Path.Combine(RepoPaths.Root, "analyzers", "CsBpf.Analyzers");
        var tracked = File.ReadLines(Path.Combine(dir, "AnalyzerReleases.Shipped.md"))
            .Concat(File.ReadLines(Path.Combine(dir, "AnalyzerReleases.Unshipped.md")))
            .Select(line => Regex.Match(line, @"^\s*(CSBPF\d{4})\s*\|"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value);
        Assert.Contains(id, tracked);
    }

    [Fact]
    public void Docs_index_links_every_page()
    {
        var index = File.ReadAllText(Path.Combine(DocsDirectory, "README.md"));
        foreach (var page in Directory.EnumerateFiles(DocsDirectory, "CSBPF*.md"))
        {
            var name = Path.GetFileName(page);
            Assert.Contains($"]({name})", index);
        }
    }
}
