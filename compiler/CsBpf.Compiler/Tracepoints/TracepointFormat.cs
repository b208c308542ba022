using System.Globalization;
using System.Text.RegularExpressions;

namespace CsBpf.Compiler.Tracepoints;

/// <summary>
/// A tracepoint's record layout, parsed from its tracefs <c>format</c> file
/// (<c>/sys/kernel/tracing/events/&lt;category&gt;/&lt;name&gt;/format</c>): one <see cref="TracepointField"/>
/// per <c>field:</c> line, with the kernel's offset, size and signedness.
/// </summary>
public sealed partial class TracepointFormat
{
    private TracepointFormat(string name, int? id, IReadOnlyList<TracepointField> fields)
    {
        Name = name;
        Id = id;
        Fields = fields;
    }

    /// <summary>The event's name (the format's <c>name:</c> line).</summary>
    public string Name { get; }

    /// <summary>The event's id (<c>ID:</c>), if the format has one.</summary>
    public int? Id { get; }

    /// <summary>The fields in format order, the common header's included.</summary>
    public IReadOnlyList<TracepointField> Fields { get; }

    /// <summary>Parses the text of a format file.</summary>
    /// <exception cref="FormatException">The text has no field lines or a malformed one.</exception>
    public static TracepointFormat Parse(string text)
    {
        string name = "";
        int? id = null;
        var fields = new List<TracepointField>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("name:", StringComparison.Ordinal)) name = line[5..].Trim();
            else if (line.StartsWith("ID:", StringComparison.Ordinal) && int.TryParse(line[3..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)) id = parsed;
            else if (line.StartsWith("field:", StringComparison.Ordinal)) fields.Add(ParseField(line));
        }
        if (fields.Count == 0) throw new FormatException("the text has no 'field:' lines: it is not a tracefs event format");
        return new TracepointFormat(name, id, fields);
    }

    private static TracepointField ParseField(string line)
    {
        Match m = FieldLine().Match(line);
        if (!m.Success) throw new FormatException($"malformed field line: '{line}'");
        string declaration = m.Groups["decl"].Value.Trim();
        int offset = int.Parse(m.Groups["offset"].Value, CultureInfo.InvariantCulture);
        int size = int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture);
        bool signed = m.Groups["signed"].Value == "1";

        var location = TracepointLocationKind.None;
        if (declaration.StartsWith("__data_loc ", StringComparison.Ordinal)) { location = TracepointLocationKind.Absolute; declaration = declaration[11..].Trim(); }
        else if (declaration.StartsWith("__rel_loc ", StringComparison.Ordinal)) { location = TracepointLocationKind.Relative; declaration = declaration[10..].Trim(); }

        Match d = Declarator().Match(declaration);
        if (!d.Success) throw new FormatException($"cannot find the field name in '{declaration}'");
        string type = d.Groups["type"].Value.Trim();
        string fieldName = d.Groups["name"].Value;
        int? arrayLength = null;
        bool isArray = d.Groups["array"].Success;
        if (isArray && int.TryParse(d.Groups["length"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) arrayLength = n;
        return new TracepointField(fieldName, type, offset, size, signed, isArray, arrayLength, location);
    }

    [GeneratedRegex(@"^field:(?<decl>[^;]*);\s*offset:(?<offset>\d+);\s*size:(?<size>\d+);\s*signed:(?<signed>[01]);")]
    private static partial Regex FieldLine();

    // "type name", "type *name", "type name[16]", "type name[]", "type[] name" (after __data_loc).
    [GeneratedRegex(@"^(?<type>.*?)\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?<array>\[(?<length>[^\]]*)\])?$")]
    private static partial Regex Declarator();
}

/// <summary>How a field locates dynamic data: not at all, <c>__data_loc</c> (offset from the record's start)
/// or <c>__rel_loc</c> (offset from the end of the field itself).</summary>
public enum TracepointLocationKind
{
    /// <summary>An ordinary field.</summary>
    None,
    /// <summary><c>__data_loc</c>: 32 bits, offset in the low 16 from the start of the record, length in the high 16.</summary>
    Absolute,
    /// <summary><c>__rel_loc</c>: like <see cref="Absolute"/> but the offset counts from the end of the field.</summary>
    Relative,
}

/// <summary>One <c>field:</c> line of a tracefs format.</summary>
/// <param name="Name">The C field name, e.g. <c>prev_comm</c>.</param>
/// <param name="CType">The C type without the name and array bounds, e.g. <c>char</c> or <c>const char *</c> (for
/// <c>__data_loc char[] x</c>: <c>char[]</c>).</param>
/// <param name="Offset">Byte offset in the record.</param>
/// <param name="Size">Size in bytes (0 for a trailing flexible array).</param>
/// <param name="Signed">The format's <c>signed:</c> flag.</param>
/// <param name="IsArray">Declared with brackets.</param>
/// <param name="ArrayLength">The numeric bound, or null (symbolic or flexible).</param>
/// <param name="Location">Whether it is a <c>__data_loc</c>/<c>__rel_loc</c> field.</param>
public sealed record TracepointField(string Name, string CType, int Offset, int Size, bool Signed, bool IsArray, int? ArrayLength, TracepointLocationKind Location)
{
    /// <summary>The fields every event starts with (<c>struct trace_entry</c>), which BPF programs may not read.</summary>
    public bool IsCommon => Name.StartsWith("common_", StringComparison.Ordinal);

    /// <summary>A pointer (a kernel or user address).</summary>
    public bool IsPointer => CType.Contains('*');
}
