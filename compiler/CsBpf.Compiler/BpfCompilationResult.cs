using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler;

/// <summary>The outcome of <see cref="BpfCompiler.Compile"/>: one object per error-free class, and every
/// diagnostic (CSBPF IDs, with source locations).</summary>
public sealed class BpfCompilationResult
{
    internal BpfCompilationResult(ImmutableArray<BpfObjectOutput> objects, ImmutableArray<Diagnostic> diagnostics)
    {
        Objects = objects;
        Diagnostics = diagnostics;
    }

    /// <summary>The objects produced, in a stable order (by class name).</summary>
    public ImmutableArray<BpfObjectOutput> Objects { get; }

    /// <summary>All diagnostics, sorted by file and position.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>True when no diagnostic is an error.</summary>
    public bool Success => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
