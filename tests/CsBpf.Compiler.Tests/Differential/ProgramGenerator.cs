using System.Text;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Generates random, well-typed C# methods in the BPF subset: integer locals of every width, arithmetic,
/// bitwise and shift operators, casts, comparisons, ternaries, short circuits, if/else, bounded for loops,
/// compound assignments, switch expressions, and division by non-zero constants. Every subexpression is
/// explicitly cast to the type it is used at, so the program always compiles as C#.
/// </summary>
internal sealed class ProgramGenerator(int seed)
{
    private static readonly ScalarType[] s_types = [ScalarType.SByte, ScalarType.Byte, Short, UShort, Int, UInt, Long, ULong];
    private readonly Random _random = new(seed);
    private readonly List<(string Name, ScalarType Type)> _variables = [];
    private int _names;

    public DiffCase Next(int index)
    {
        _variables.Clear();
        _names = 0;
        int parameterCount = _random.Next(1, 4);
        var parameters = Enumerable.Range(0, parameterCount).Select(_ => Pick(s_types)).ToArray();
        ScalarType result = Pick(s_types);
        for (int i = 0; i < parameters.Length; i++) _variables.Add(($"p{i}", parameters[i]));

        var body = new StringBuilder();
        int statements = _random.Next(1, 7);
        for (int i = 0; i < statements; i++) Statement(body, "    ", depth: 0);
        body.Append($"    return {Expression(result, 3)};\n");

        string signature = string.Join(", ", parameters.Select((t, i) => $"{t.Keyword} p{i}"));
        string methods = $"public static {result.Keyword} M({signature})\n{{\n    unchecked\n    {{\n{Indent(body.ToString())}    }}\n}}";
        var inputs = new List<object[]>();
        var edges = DiffCase.EdgeInputs(parameters, cap: 12);
        inputs.AddRange(edges);
        for (int i = 0; i < 12; i++) inputs.Add(parameters.Select(p => p.FromBits(RandomBits())).ToArray());
        return new DiffCase($"random-{seed}-{index}", methods, "M", parameters, result, inputs);
    }

    private static string Indent(string s) => string.Concat(s.Split('\n').Where(l => l.Length > 0).Select(l => "    " + l + "\n"));

    private void Statement(StringBuilder sb, string indent, int depth)
    {
        int kind = _random.Next(depth < 2 ? 6 : 3);
        switch (kind)
        {
            case 0:
            case 1:
                {
                    ScalarType t = Pick(s_types);
                    string name = $"v{_names++}";
                    sb.Append($"{indent}{t.Keyword} {name} = {Expression(t, 3)};\n");
                    _variables.Add((name, t));
                    break;
                }
            case 2:
                {
                    // Loop counters stay read-only so every generated loop terminates.
                    var (name, t) = Pick(_variables.Where(v => !v.Name.StartsWith('i')).ToList());
                    string op = Pick(["+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>="]);
                    string rhs = op is "<<=" or ">>=" ? $"(int)({Expression(Int, 1)})" : $"({t.Keyword})({Expression(t, 2)})";
                    sb.Append($"{indent}{name} {op} {rhs};\n");
                    break;
                }
            case 3:
                {
                    sb.Append($"{indent}if ({Condition(2)})\n{indent}{{\n");
                    int scope = _variables.Count;
                    Statement(sb, indent + "    ", depth + 1);
                    Trim(scope);
                    sb.Append($"{indent}}}\n{indent}else\n{indent}{{\n");
                    Statement(sb, indent + "    ", depth + 1);
                    Trim(scope);
                    sb.Append($"{indent}}}\n");
                    break;
                }
            case 4 when _random.Next(3) == 0:
                {
                    // A division by a variable, guarded the way C# code must be for BPF (and for C#).
                    var candidates = _variables.Where(v => !v.Name.StartsWith('i')).ToList();
                    var (x, t) = Pick(candidates);
                    var sameType = candidates.Where(v => v.Type == t).ToList();
                    var (d, _) = Pick(sameType);
                    string guard = t.Signed ? $"{d} != 0 && {d} != -1" : $"{d} != 0";
                    string name = $"v{_names++}";
                    sb.Append($"{indent}{t.Keyword} {name} = {guard} ? ({t.Keyword})({x} {Pick(["/", "%"])} {d}) : ({t.Keyword})0;\n");
                    _variables.Add((name, t));
                    break;
                }
            case 4:
                {
                    string i = $"i{_names++}";
                    int bound = _random.Next(1, 9);
                    sb.Append($"{indent}for (int {i} = 0; {i} < {bound}; {i}++)\n{indent}{{\n");
                    int scope = _variables.Count;
                    _variables.Add((i, Int));
                    Statement(sb, indent + "    ", depth + 1);
                    if (_random.Next(3) == 0) sb.Append($"{indent}    if ({Condition(1)}) break;\n");
                    Trim(scope);
                    sb.Append($"{indent}}}\n");
                    break;
                }
            default:
                {
                    var (name, t) = Pick(_variables.Where(v => !v.Name.StartsWith('i')).ToList());
                    sb.Append($"{indent}{name} = ({t.Keyword})({Switch(t)});\n");
                    break;
                }
        }
    }

    private void Trim(int count) => _variables.RemoveRange(count, _variables.Count - count);

    private string Switch(ScalarType t)
    {
        var (name, source) = Pick(_variables);
        long a = _random.Next(-3, 10), b = a + _random.Next(1, 20);
        string pa = source.Signed || a >= 0 ? a.ToString() : "0";
        return $"{name} switch {{ {pa} => {Expression(t, 1)}, >= ({source.Keyword}){Math.Max(0, b)} and < ({source.Keyword}){Math.Max(0, b) + 50} => {Expression(t, 1)}, _ => {Expression(t, 1)} }}";
    }

    private string Condition(int depth)
    {
        if (depth > 0 && _random.Next(4) == 0)
            return $"({Condition(depth - 1)}) {Pick(["&&", "||", "&", "|", "^", "=="])} ({Condition(depth - 1)})";
        if (_random.Next(8) == 0) return $"!({Condition(Math.Max(0, depth - 1))})";
        ScalarType t = Pick(s_types);
        return $"({Expression(t, depth)}) {Pick(["<", "<=", ">", ">=", "==", "!="])} ({Expression(t, depth)})";
    }

    private string Expression(ScalarType t, int depth)
    {
        int choice = _random.Next(depth <= 0 ? 2 : 9);
        string cast = $"({t.Keyword})";
        switch (choice)
        {
            case 0:
                return $"{cast}{Literal(t)}";
            case 1:
                {
                    var (name, _) = Pick(_variables);
                    return $"{cast}({name})";
                }
            case 2:
            case 3:
                {
                    string op = Pick(["+", "-", "*", "&", "|", "^"]);
                    return $"{cast}({Expression(t, depth - 1)} {op} {Expression(t, depth - 1)})";
                }
            case 4:
                {
                    string op = Pick(["<<", ">>", ">>>"]);
                    return $"{cast}({Expression(t, depth - 1)} {op} (int)({Expression(Int, depth - 1)}))";
                }
            case 5:
                {
                    // Division and remainder by a non-zero constant other than -1.
                    long d = _random.Next(2, 40) * (t.Signed && _random.Next(2) == 0 ? -1 : 1);
                    if (!t.Signed && d < 0) d = -d;
                    return $"{cast}({Expression(t, depth - 1)} {Pick(["/", "%"])} {cast}{d})";
                }
            case 6:
                return $"({Condition(depth - 1)} ? {Expression(t, depth - 1)} : {Expression(t, depth - 1)})";
            case 7:
                {
                    ScalarType other = Pick(s_types);
                    return $"{cast}({Expression(other, depth - 1)})";
                }
            default:
                return t.Keyword is "byte" or "sbyte" or "short" or "ushort" or "int" or "long"
                    ? $"{cast}(~{Expression(t, depth - 1)})" : $"{cast}({Expression(t, depth - 1)} + {Literal(t)})";
        }
    }

    private string Literal(ScalarType t) => _random.Next(3) switch
    {
        0 => _random.Next(0, 10).ToString(),
        1 => t.Literal(t.FromBits(RandomBits())),
        _ => t.Literal(t.EdgeValues().ElementAt(_random.Next(t.EdgeValues().Count()))),
    };

    private ulong RandomBits()
    {
        ulong bits = (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 40);
        // Bias toward small magnitudes, where off-by-one and sign bugs show.
        return _random.Next(3) switch { 0 => bits & 0xFF, 1 => (ulong)(long)(sbyte)bits, _ => bits };
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
