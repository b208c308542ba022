namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// One differential test: C# methods (<see cref="Methods"/>, all <c>public static</c>) with an entry method
/// <see cref="Entry"/> taking <see cref="Parameters"/> and returning <see cref="Result"/>, run on the given
/// inputs both by the CLR and, compiled to a syscall program, by the kernel.
/// </summary>
internal sealed record DiffCase(string Name, string Methods, string Entry, ScalarType[] Parameters, ScalarType Result, IReadOnlyList<object[]> Inputs)
{
    /// <summary>Declarations outside the case's [BpfProgram] class, in namespace <c>Diff</c> (helper classes,
    /// extension methods, structs); their names must be unique among the cases of one run.</summary>
    public string TopLevel { get; init; } = "";

    /// <summary>Every combination of each parameter's edge values (capped), plus the given extra inputs.</summary>
    public static IReadOnlyList<object[]> EdgeInputs(ScalarType[] parameters, int cap = 400)
    {
        IEnumerable<object[]> combos = [[]];
        foreach (ScalarType p in parameters)
        {
            ScalarType type = p;
            combos = combos.SelectMany(prefix => type.EdgeValues().Select(v => (object[])[.. prefix, v]));
        }
        var all = combos.ToList();
        if (all.Count <= cap) return all;
        // Keep a deterministic, evenly spread subset.
        double step = (double)all.Count / cap;
        return Enumerable.Range(0, cap).Select(i => all[(int)(i * step)]).ToList();
    }
}
