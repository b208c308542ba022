using System.Text;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Generates random, well-typed C# methods in the BPF subset: integer locals of every width, arithmetic,
/// bitwise and shift operators, casts, comparisons, ternaries, short circuits, if/else, bounded for loops,
/// compound assignments, switch expressions, division by non-zero constants and by tested variables — and
/// memory: struct locals (sequential and Pack = 1, with fixed buffers), copies of them, spans over stackalloc,
/// inline arrays, pointers to locals and to stackalloc buffers, element access with masked indexes, and
/// foreach (by value and by ref) over spans and inline arrays — and struct members: constructors (chained, with
/// field initializers and object initializers), properties (compound assignments through accessors), mutating and
/// readonly methods, a static method taking the struct by `in` (a defensive copy), a user-defined operator returning
/// a struct, and `with` copies. Every subexpression is explicitly cast to the
/// type it is used at, so the program always compiles as C#, and every index is masked into range, so the CLR
/// never throws and never touches memory outside what it allocated.
/// </summary>
internal sealed class ProgramGenerator(int seed)
{
    private static readonly ScalarType[] s_types = [ScalarType.SByte, ScalarType.Byte, Short, UShort, Int, UInt, Long, ULong];
    private readonly Random _random = new(seed);
    private readonly List<Variable> _variables = [];
    private readonly StringBuilder _types = new();
    private int _names;
    private int _aggregates;

    /// <summary>
    /// Something an expression can read and (unless read-only) a statement can assign: a scalar variable, a
    /// struct field, <c>*p</c>, or — with <see cref="Length"/> &gt; 0 — the elements of a span, inline array,
    /// fixed buffer or stackalloc'd pointer, indexed at each use.
    /// </summary>
    private sealed record Variable(string Name, ScalarType Type, int Length = 0, bool ReadOnly = false, bool IsLocal = false, bool Packed = false, bool ByRef = false)
    {
        /// <summary>Plain scalar variables: the only ones a division's guard and divisor can name twice. A ref local
        /// is not one: the rule set (CSBPF0017) does not narrow the value behind a reference on a test of it.</summary>
        public bool Stable => Length == 0 && !ByRef && !Name.Contains('*') && !Name.Contains('.');
    }

    public DiffCase Next(int index)
    {
        _variables.Clear();
        _types.Clear();
        _names = 0;
        _aggregates = 0;
        int parameterCount = _random.Next(1, 4);
        var parameters = Enumerable.Range(0, parameterCount).Select(_ => Pick(s_types)).ToArray();
        ScalarType result = Pick(s_types);
        for (int i = 0; i < parameters.Length; i++) _variables.Add(new Variable($"p{i}", parameters[i], IsLocal: true));

        var body = new StringBuilder();
        int statements = _random.Next(1, 7);
        for (int i = 0; i < statements; i++) Statement(body, "    ", depth: 0);
        body.Append($"    return {Expression(result, 3)};\n");

        string signature = string.Join(", ", parameters.Select((t, i) => $"{t.Keyword} p{i}"));
        string methods = $"{_types}public static unsafe {result.Keyword} M({signature})\n{{\n    unchecked\n    {{\n{Indent(body.ToString())}    }}\n}}";
        var inputs = new List<object[]>();
        var edges = DiffCase.EdgeInputs(parameters, cap: 12);
        inputs.AddRange(edges);
        for (int i = 0; i < 12; i++) inputs.Add(parameters.Select(p => p.FromBits(RandomBits())).ToArray());
        return new DiffCase($"random-{seed}-{index}", methods, "M", parameters, result, inputs);
    }

    private static string Indent(string s) => string.Concat(s.Split('\n').Where(l => l.Length > 0).Select(l => "    " + l + "\n"));

    private List<Variable> Assignable() => _variables.Where(v => !v.ReadOnly && !v.Name.StartsWith('i')).ToList();

    private void Statement(StringBuilder sb, string indent, int depth)
    {
        // Memory statements (aggregates) are rarer and capped, to keep frames small and runs fast.
        if (_aggregates < 3 && _random.Next(4) == 0)
        {
            MemoryStatement(sb, indent, depth);
            return;
        }
        int kind = _random.Next(depth < 2 ? 6 : 3);
        switch (kind)
        {
            case 0:
            case 1:
                {
                    ScalarType t = Pick(s_types);
                    string name = $"v{_names++}";
                    sb.Append($"{indent}{t.Keyword} {name} = {Expression(t, 3)};\n");
                    _variables.Add(new Variable(name, t, IsLocal: true));
                    break;
                }
            case 2:
                {
                    // Loop counters stay read-only so every generated loop terminates.
                    Variable v = Pick(Assignable());
                    string op = Pick(["+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>="]);
                    string rhs = op is "<<=" or ">>=" ? $"(int)({Expression(Int, 1)})" : $"({v.Type.Keyword})({Expression(v.Type, 2)})";
                    sb.Append($"{indent}{Render(v)} {op} {rhs};\n");
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
                    var candidates = Assignable().Where(v => v.Stable).ToList();
                    Variable x = Pick(candidates);
                    var sameType = candidates.Where(v => v.Type == x.Type).ToList();
                    Variable d = Pick(sameType);
                    string guard = x.Type.Signed ? $"{d.Name} != 0 && {d.Name} != -1" : $"{d.Name} != 0";
                    string name = $"v{_names++}";
                    sb.Append($"{indent}{x.Type.Keyword} {name} = {guard} ? ({x.Type.Keyword})({x.Name} {Pick(["/", "%"])} {d.Name}) : ({x.Type.Keyword})0;\n");
                    _variables.Add(new Variable(name, x.Type, IsLocal: true));
                    break;
                }
            case 4:
                {
                    string i = $"i{_names++}";
                    int bound = _random.Next(1, 9);
                    sb.Append($"{indent}for (int {i} = 0; {i} < {bound}; {i}++)\n{indent}{{\n");
                    int scope = _variables.Count;
                    _variables.Add(new Variable(i, Int));
                    Statement(sb, indent + "    ", depth + 1);
                    if (_random.Next(3) == 0) sb.Append($"{indent}    if ({Condition(1)}) break;\n");
                    Trim(scope);
                    sb.Append($"{indent}}}\n");
                    break;
                }
            default:
                {
                    Variable v = Pick(Assignable());
                    sb.Append($"{indent}{Render(v)} = ({v.Type.Keyword})({Switch(v.Type)});\n");
                    break;
                }
        }
    }

    /// <summary>Declares an aggregate or a pointer, or loops over one with foreach.</summary>
    private void MemoryStatement(StringBuilder sb, string indent, int depth)
    {
        var sequences = _variables.Where(v => v.Length > 0 && (v.Name.StartsWith("sp", StringComparison.Ordinal) || v.Name.StartsWith('a'))).ToList();
        int kind = sequences.Count > 0 && depth < 2 && _random.Next(2) == 0 ? 7 : _random.Next(7);
        switch (kind)
        {
            case 0:
            case 1:
                {
                    // A struct local, sometimes Pack = 1 (misaligned fields), sometimes with a fixed buffer.
                    _aggregates++;
                    string type = $"S{_names++}";
                    string name = $"s{_names++}";
                    bool packed = _random.Next(3) == 0;
                    var fields = new List<(string Name, ScalarType Type, int Length)>();
                    int count = _random.Next(1, 4);
                    for (int f = 0; f < count; f++) fields.Add(($"F{f}", Pick(s_types), 0));
                    if (_random.Next(3) == 0) fields.Insert(_random.Next(fields.Count + 1), ("B", Pick(s_types), 1 << _random.Next(0, 3)));
                    if (packed) _types.Append("[StructLayout(LayoutKind.Sequential, Pack = 1)]\n");
                    _types.Append($"public unsafe struct {type} {{ ");
                    foreach (var (fn, ft, length) in fields)
                        _types.Append(length > 0 ? $"public fixed {ft.Keyword} {fn}[{length}]; " : $"public {ft.Keyword} {fn}; ");
                    _types.Append("}\n");
                    sb.Append($"{indent}{type} {name} = default;\n");
                    foreach (var (fn, ft, length) in fields)
                    {
                        if (length == 0) sb.Append($"{indent}{name}.{fn} = ({ft.Keyword})({Expression(ft, 2)});\n");
                        _variables.Add(new Variable($"{name}.{fn}", ft, length, Packed: packed));
                    }
                    if (_random.Next(2) == 0)
                    {
                        // A copy: independent storage from here on.
                        string copy = $"s{_names++}";
                        sb.Append($"{indent}{type} {copy} = {name};\n");
                        foreach (var (fn, ft, length) in fields) _variables.Add(new Variable($"{copy}.{fn}", ft, length, Packed: packed));
                    }
                    break;
                }
            case 2:
                {
                    // A span over stackalloc (zeroed, like C#).
                    _aggregates++;
                    ScalarType t = Pick(s_types);
                    int length = 1 << _random.Next(0, 4);
                    string name = $"sp{_names++}";
                    sb.Append($"{indent}Span<{t.Keyword}> {name} = stackalloc {t.Keyword}[{length}];\n");
                    var element = new Variable(name, t, length);
                    sb.Append($"{indent}{Render(element)} = ({t.Keyword})({Expression(t, 2)});\n");
                    _variables.Add(element);
                    break;
                }
            case 3:
                {
                    // An inline array local.
                    _aggregates++;
                    ScalarType t = Pick(s_types);
                    int length = 1 << _random.Next(0, 4);
                    string type = $"A{_names++}";
                    string name = $"a{_names++}";
                    _types.Append($"[InlineArray({length})] public struct {type} {{ private {t.Keyword} _e; }}\n");
                    sb.Append($"{indent}{type} {name} = default;\n");
                    var element = new Variable(name, t, length);
                    sb.Append($"{indent}{Render(element)} = ({t.Keyword})({Expression(t, 2)});\n");
                    _variables.Add(element);
                    break;
                }
            case 4:
                {
                    // A pointer to a local (a parameter, variable or struct field): *p aliases it. Not to fields of
                    // Pack = 1 structs: the pointer would be misaligned, which the verifier refuses on the stack.
                    var targets = Assignable().Where(v => v.Length == 0 && !v.Packed && !v.Name.Contains('*') && (v.IsLocal || v.Name.StartsWith('s'))).ToList();
                    if (targets.Count == 0) goto case 2;
                    Variable target = Pick(targets);
                    string name = $"pv{_names++}";
                    sb.Append($"{indent}{target.Type.Keyword}* {name} = &{target.Name};\n");
                    _variables.Add(new Variable($"(*{name})", target.Type));
                    break;
                }
            case 5:
                {
                    // A stackalloc'd buffer used through a pointer: p[i], *(p + i).
                    _aggregates++;
                    ScalarType t = Pick(s_types);
                    int length = 1 << _random.Next(0, 4);
                    string name = $"pb{_names++}";
                    sb.Append($"{indent}{t.Keyword}* {name} = stackalloc {t.Keyword}[{length}];\n");
                    var element = new Variable(name, t, length);
                    sb.Append($"{indent}{Render(element)} = ({t.Keyword})({Expression(t, 2)});\n");
                    _variables.Add(element);
                    break;
                }
            case 6:
                    StructWithMembers(sb, indent);
                    break;
            default:
                {
                    // foreach over a span or inline array, by value or by ref.
                    Variable sequence = Pick(sequences);
                    string it = $"it{_names++}";
                    bool byRef = _random.Next(2) == 0;
                    string target = sequence.Name;
                    sb.Append(byRef
                        ? $"{indent}foreach (ref {sequence.Type.Keyword} r{it} in {target})\n{indent}{{\n"
                        : $"{indent}foreach ({sequence.Type.Keyword} {it} in {target})\n{indent}{{\n");
                    int scope = _variables.Count;
                    // By value the iteration variable is read-only (its name starts with 'i'); by ref it is assignable.
                    _variables.Add(byRef ? new Variable($"r{it}", sequence.Type, ByRef: true) : new Variable(it, sequence.Type, ReadOnly: true));
                    if (byRef) sb.Append($"{indent}    r{it} = ({sequence.Type.Keyword})({Expression(sequence.Type, 2)});\n");
                    Statement(sb, indent + "    ", depth + 1);
                    Trim(scope);
                    sb.Append($"{indent}}}\n");
                    break;
                }
        }
    }

    /// <summary>
    /// A struct with constructors, a property, methods and an operator, a local of it built by a constructor or an
    /// object initializer, and uses of its members: what C# defines (which storage a mutating method changes, the
    /// copy a readonly receiver gets, a <c>with</c> copy) must come out of the kernel too. The member bodies are
    /// expressions over the fields and parameters only (no loops, no variable divisors or indexes).
    /// </summary>
    private void StructWithMembers(StringBuilder sb, string indent)
    {
        _aggregates++;
        string type = $"C{_names++}";
        string name = $"c{_names++}";
        ScalarType t0 = Pick(s_types), t1 = Pick(s_types);
        string k0 = t0.Keyword, k1 = t1.Keyword;
        List<Variable> outer = [.. _variables];
        // Member bodies see the fields and their parameters only.
        void Scope(params (string Name, ScalarType Type)[] scope)
        {
            _variables.Clear();
            foreach (var (n, t) in scope) _variables.Add(new Variable(n, t, IsLocal: true));
        }
        var fields = new[] { ("F0", t0), ("F1", t1) };
        bool initializer = _random.Next(2) == 0;
        Scope([.. fields, ("a", t0), ("b", t1)]);
        string ctor = $"public {type}({k0} a, {k1} b) {{ F0 = a; F1 = unchecked(({k1})({Expression(t1, 2)})); }}";
        Scope(("a", t0));
        string chainArgument = Expression(t1, 1);
        Scope(fields);
        string chained = $"public {type}({k0} a) : this(a, unchecked(({k1})({chainArgument}))) {{ F1 += unchecked(({k1})({Expression(t1, 1)})); }}";
        string getter = Expression(t0, 2);
        Scope([.. fields, ("value", t0)]);
        string setter = Expression(t0, 2);
        Scope([.. fields, ("d", t1)]);
        string bump = Expression(t0, 2);
        Scope([.. fields, ("x", t0)]);
        string mix = Expression(t1, 2);
        _variables.Clear();
        _variables.AddRange(outer);

        _types.Append($"public struct {type}\n{{\n");
        _types.Append($"    public {k0} F0;\n    public {k1} F1{(initializer ? $" = ({k1}){Literal(t1)}" : "")};\n");
        _types.Append($"    {ctor}\n    {chained}\n");
        if (initializer) _types.Append($"    public {type}() {{ }}\n"); // runs the field initializer (a struct with initializers needs a constructor)
        _types.Append($"    public {k0} P {{ {(_random.Next(2) == 0 ? "readonly " : "")}get => unchecked(({k0})({getter})); set => F0 = unchecked(({k0})({setter})); }}\n");
        _types.Append($"    public void Bump({k1} d) {{ F1 = unchecked(({k1})(F1 + d)); F0 = unchecked(({k0})({bump})); }}\n");
        _types.Append($"    public readonly {k1} Mix({k0} x) => unchecked(({k1})({mix}));\n");
        _types.Append($"    public static {k1} Peek(in {type} c, {k1} d) {{ c.Bump(d); return c.F1; }}\n");
        _types.Append($"    public static {type} operator +({type} l, {type} r) => new {type}(unchecked(({k0})(l.F0 + r.F0)), unchecked(({k1})(l.F1 ^ r.F1)));\n");
        _types.Append("}\n");

        string creation = _random.Next(4) switch
        {
            0 => $"new {type}(({k0})({Expression(t0, 2)}), ({k1})({Expression(t1, 2)}))",
            1 => $"new {type}(({k0})({Expression(t0, 2)})) {{ F1 = ({k1})({Expression(t1, 2)}) }}",
            2 => $"new {type} {{ P = ({k0})({Expression(t0, 2)}) }}",
            _ => initializer ? $"new {type}()" : "default",
        };
        sb.Append($"{indent}{type} {name} = {creation};\n");
        void Register(string local)
        {
            _variables.Add(new Variable($"{local}.F0", t0));
            _variables.Add(new Variable($"{local}.F1", t1));
            _variables.Add(new Variable($"{local}.P", t0));
            _variables.Add(new Variable($"{local}.Mix(({k0}){Literal(t0)})", t1, ReadOnly: true));
            _variables.Add(new Variable($"{type}.Peek(in {local}, ({k1}){Literal(t1)})", t1, ReadOnly: true));
        }
        Register(name);
        if (_random.Next(2) == 0) sb.Append($"{indent}{name}.Bump(({k1})({Expression(t1, 2)}));\n");
        if (_random.Next(3) == 0) sb.Append($"{indent}{name}.P += ({k0})({Expression(t0, 1)});\n");
        if (_random.Next(3) == 0) sb.Append($"{indent}{name} = {name} + new {type}(({k0})({Expression(t0, 1)}));\n");
        if (_random.Next(2) == 0)
        {
            string copy = $"c{_names++}";
            sb.Append($"{indent}{type} {copy} = {name} with {{ F1 = ({k1})({Expression(t1, 2)}) }};\n");
            Register(copy);
        }
    }

    private void Trim(int count) => _variables.RemoveRange(count, _variables.Count - count);

    /// <summary>How a use of <paramref name="v"/> reads in C#: elements get an index masked into range.</summary>
    private string Render(Variable v)
    {
        if (v.Length == 0) return v.Name;
        string index = v.Length == 1 || _random.Next(3) == 0
            ? _random.Next(v.Length).ToString()
            : $"(int)({Expression(Int, 1)}) & {v.Length - 1}";
        return v.Name.StartsWith("pb", StringComparison.Ordinal) && _random.Next(2) == 0 ? $"*({v.Name} + ({index}))" : $"{v.Name}[{index}]";
    }

    private string Switch(ScalarType t)
    {
        Variable v = Pick(_variables);
        ScalarType source = v.Type;
        long a = _random.Next(-3, 10), b = a + _random.Next(1, 20);
        string pa = source.Signed || a >= 0 ? a.ToString() : "0";
        return $"{Render(v)} switch {{ {pa} => {Expression(t, 1)}, >= ({source.Keyword}){Math.Max(0, b)} and < ({source.Keyword}){Math.Max(0, b) + 50} => {Expression(t, 1)}, _ => {Expression(t, 1)} }}";
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
                    Variable v = Pick(_variables);
                    // An element index is itself an expression: keep it shallow at the leaves.
                    return v.Length > 0 && depth <= 0 ? $"{cast}({v.Name}[0])" : $"{cast}({Render(v)})";
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
