using System.Collections.Immutable;
using CsBpf.Analyzers.Rules;
using CsBpf.Analyzers.Tests.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CsBpf.Analyzers.Tests.Rules;

/// <summary>
/// The program-type rules follow calls into helper libraries and struct members (any method with source in the
/// project is BPF code): a helper the program type lacks (CSBPF0040), a context member it may not write
/// (CSBPF0051), reached through a static class or a struct's constructor, property or operator, is reported at the
/// program with the path and the place.
/// </summary>
public class LibraryReachTests
{
    private static ImmutableArray<Diagnostic> Analyze(params string[] sources)
    {
        var compilation = GeneratorHarness.CreateCompilation(sources);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation.WithAnalyzers([new HelperAvailabilityAnalyzer(), new ContextAccessAnalyzer()])
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    private const string Library = """
        using CsBpf;
        public static class Clock
        {
            public static ulong Coarse() => Bpf.KtimeGetCoarseNs();   // helper 160: socket filters only
            public static ulong Fine() => Bpf.KtimeGetNs();
            public static void Tag(SkBuffContext ctx) => ctx.Mark = 7;  // writable by tc and cgroup_skb only
        }
        public struct Stamp
        {
            public ulong At;
            public Stamp(bool coarse) { At = coarse ? Clock.Coarse() : Clock.Fine(); }
            public readonly ulong Age => Clock.Fine() - At;
            public static Stamp operator +(Stamp a, Stamp b) => new Stamp { At = a.At + Clock.Coarse() };
        }
        """;

    [Fact]
    public void Helpers_reached_through_library_methods_and_struct_members_are_judged_per_program_type()
    {
        var diagnostics = Analyze(Library, """
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [Map] static readonly ArrayMap<ulong> M = new(maxEntries: 1);

                [Tracepoint("syscalls", "sys_enter_openat")]
                static int Direct(TracepointContext ctx) { M.Update(0, Clock.Coarse()); return 0; }

                [Tracepoint("syscalls", "sys_enter_close")]
                static int ThroughConstructor(TracepointContext ctx) { var s = new Stamp(true); M.Update(0, s.At); return 0; }

                [Tracepoint("syscalls", "sys_enter_read")]
                static int ThroughOperator(TracepointContext ctx) { var s = new Stamp { At = 1 } + default(Stamp); M.Update(0, s.Age); return 0; }

                [SocketFilter]
                static int Allowed(SkBuffContext ctx) { M.Update(0, new Stamp(true).Age + Clock.Coarse()); return 0; }

                [Tracepoint("syscalls", "sys_enter_write")]
                static int Clean(TracepointContext ctx) { M.Update(0, new Stamp { At = Clock.Fine() }.Age); return 0; }
            }
            """);
        string[] messages = [.. diagnostics.Where(d => d.Id == "CSBPF0040").Select(d => d.GetMessage()).Order(StringComparer.Ordinal)];
        Assert.Equal(3, messages.Length);
        Assert.Contains(messages, m => m.Contains("Program 'Direct'") && m.Contains("calls 'Bpf.KtimeGetCoarseNs' through 'Coarse'"));
        Assert.Contains(messages, m => m.Contains("Program 'ThroughConstructor'") && m.Contains("through '.ctor' → 'Coarse'"));
        Assert.Contains(messages, m => m.Contains("Program 'ThroughOperator'") && m.Contains("through 'op_Addition' → 'Coarse'"));
        // The call is in another class: reported at the program method, with the call's place in the message.
        Assert.All(diagnostics.Where(d => d.Id == "CSBPF0040"), d =>
        {
            Assert.Contains("static int", d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString());
            Assert.Contains("(at ", d.GetMessage());
        });
    }

    [Fact]
    public void Context_writes_in_library_methods_are_judged_per_program_type()
    {
        var diagnostics = Analyze(Library, """
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                [SocketFilter]
                static int Filter(SkBuffContext ctx) { Clock.Tag(ctx); return 0; }

                [Tc(TcDirection.Ingress)]
                static TcAction Classify(SkBuffContext ctx) { Clock.Tag(ctx); return TcAction.Ok; }
            }
            """);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("CSBPF0051", d.Id);
        Assert.Contains("'Filter'", d.GetMessage());
        Assert.Contains("'Tag'", d.GetMessage());
    }
}
