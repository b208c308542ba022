using System.Globalization;
using System.Text;

namespace CsBpf.Compiler.Tracepoints;

/// <summary>
/// Writes the C# record struct of a tracepoint from its <see cref="TracepointFormat"/>: a sequential struct
/// whose fields land at the format's offsets (padding made explicit where the C layout has holes that natural
/// alignment would not reproduce), typed by size and signedness (the format's C types are not reliable: the
/// syscall events declare <c>int dfd</c> with size 8), with
/// <list type="bullet">
/// <item>the common header as one private field (the verifier refuses reads of a tracepoint context's first 8 bytes);</item>
/// <item>pointers as <c>ulong</c> addresses (read through them with <c>Bpf.ProbeReadUser</c>/<c>ProbeReadKernel</c>);</item>
/// <item>fixed arrays as <c>[InlineArray]</c> structs (<c>char x[16]</c> as <c>TaskComm</c>);</item>
/// <item><c>__data_loc</c>/<c>__rel_loc</c> fields as <c>DataLocation</c>;</item>
/// <item>a trailing flexible array as a constant with its offset.</item>
/// </list>
/// Programs take the struct as <c>ref readonly T record</c>. The output depends only on the format text.
/// </summary>
public static class TracepointRecordWriter
{
    /// <summary>The C# source of the record struct.</summary>
    /// <param name="category">The tracepoint category (for the documentation and the usage line).</param>
    /// <param name="name">The tracepoint name.</param>
    /// <param name="format">The parsed format.</param>
    /// <param name="typeName">The struct's name; default: the tracepoint name in PascalCase.</param>
    /// <param name="namespace">A namespace for the struct, or null for none.</param>
    /// <exception cref="NotSupportedException">A field cannot be placed at its offset with sequential layout
    /// (a packed C struct); the message names it.</exception>
    public static string Write(string category, string name, TracepointFormat format, string? typeName = null, string? @namespace = null)
    {
        typeName ??= PascalCase(name);
        var body = new StringBuilder();
        var nested = new StringBuilder();
        var usedNames = new HashSet<string>(StringComparer.Ordinal) { typeName };
        int offset = 0, align = 1, padding = 0;

        var fields = format.Fields.ToList();
        int common = fields.TakeWhile(f => f.IsCommon).Count();
        if (common > 0)
        {
            int end = fields[common - 1].Offset + fields[common - 1].Size;
            if (end != 8 || fields[0].Offset != 0)
                throw new NotSupportedException($"the common header of {category}/{name} spans bytes 0..{end}, not the 8 bytes of struct trace_entry");
            body.Append("    /// <summary>The common header (").Append(string.Join(", ", fields.Take(common).Select(f => f.Name)))
                .Append("): BPF programs may not read a tracepoint context's first 8 bytes.</summary>\n")
                .Append("    private readonly ulong _common;\n");
            offset = 8;
            align = 8;
        }

        foreach (TracepointField field in fields.Skip(common))
        {
            string member = Unique(PascalCase(field.Name), usedNames);
            if (field.Size == 0)
            {
                // A trailing flexible array (e.g. `unsigned long ips[]`): no storage in the struct.
                body.Append('\n').Append("    /// <summary>Offset of <c>").Append(Escape(field.CType)).Append(' ').Append(field.Name)
                    .Append("[]</c>, a flexible array at the end of the record: read it from <c>Bpf.AddressOf(in record) + ")
                    .Append(member).Append("Offset</c>.</summary>\n")
                    .Append("    public const int ").Append(member).Append("Offset = ").Append(field.Offset.ToString(CultureInfo.InvariantCulture)).Append(";\n");
                continue;
            }
            var (type, fieldAlign, nestedType) = CSharpType(field, member);
            int aligned = Align(offset, fieldAlign);
            if (aligned > field.Offset)
                throw new NotSupportedException(
                    $"field '{field.Name}' of {category}/{name} is at offset {field.Offset}, which a {fieldAlign}-byte-aligned {type} cannot take after offset {offset} (the record is packed); sequential C# structs cannot express it yet");
            if (field.Offset % fieldAlign != 0)
                throw new NotSupportedException(
                    $"field '{field.Name}' of {category}/{name} is at offset {field.Offset}, not a multiple of its {fieldAlign}-byte alignment (the record is packed); sequential C# structs cannot express it yet");
            if (aligned < field.Offset)
            {
                // A hole natural alignment would not leave: explicit bytes up to the field.
                for (int gap = field.Offset - offset; gap > 0; gap--)
                    body.Append("    private readonly byte _pad").Append((padding++).ToString(CultureInfo.InvariantCulture)).Append(";\n");
                offset = field.Offset;
            }
            if (nestedType is not null) nested.Append(nestedType);
            body.Append('\n').Append("    /// <summary><c>").Append(Escape(Describe(field))).Append("</c> at offset ")
                .Append(field.Offset.ToString(CultureInfo.InvariantCulture)).Append(", ").Append(field.Size.ToString(CultureInfo.InvariantCulture))
                .Append(field.Size == 1 ? " byte" : " bytes").Append(Note(field)).Append(".</summary>\n")
                .Append("    public ").Append(type).Append(' ').Append(member).Append(";\n");
            offset = field.Offset + field.Size;
            align = Math.Max(align, fieldAlign);
        }

        var w = new StringBuilder();
        w.Append("// <auto-generated/>\n")
         .Append("// csbpfc tracepoint ").Append(category).Append(' ').Append(name).Append(": the record of tracepoint ")
         .Append(category).Append('/').Append(name).Append(" from its tracefs format.\n")
         .Append("#pragma warning disable CS0169, CS0649 // the header and padding are never read; the kernel writes the fields\n")
         .Append("using System.Runtime.CompilerServices;\n")
         .Append("using CsBpf;\n\n");
        if (!string.IsNullOrEmpty(@namespace)) w.Append("namespace ").Append(@namespace).Append(";\n\n");
        w.Append("/// <summary>\n")
         .Append("/// The record of tracepoint <c>").Append(category).Append('/').Append(name).Append("</c>")
         .Append(format.Id is int id ? $" (event id {id.ToString(CultureInfo.InvariantCulture)} on the kernel it was generated from)" : "").Append(", laid out as its\n")
         .Append("/// tracefs format: take it as <c>[Tracepoint(\"").Append(category).Append("\", \"").Append(name).Append("\")] static int M(ref readonly ")
         .Append(typeName).Append(" record)</c>.\n")
         .Append("/// </summary>\n")
         .Append("public struct ").Append(typeName).Append('\n')
         .Append("{\n")
         .Append(body)
         .Append(nested)
         .Append("}\n");
        return w.ToString();
    }

    /// <summary>The C# type of a field, its alignment, and a nested type to declare for it (arrays).</summary>
    private static (string Type, int Align, string? Nested) CSharpType(TracepointField field, string member)
    {
        if (field.Location != TracepointLocationKind.None)
        {
            if (field.Size != 4) throw new NotSupportedException($"__data_loc field '{field.Name}' has {field.Size} bytes, not 4");
            return ("DataLocation", 2, null);
        }
        if (field.IsArray)
        {
            int element = ElementSize(field);
            int length = field.Size / element;
            // char x[16] is a command name (comm, prev_comm…); __u8 x[16] is binary data such as an IPv6 address.
            if (field.CType.Replace("const ", "", StringComparison.Ordinal).Trim() == "char" && field.Size == 16) return ("TaskComm", 1, null);
            string elementType = element == 1 ? "byte" : Scalar(element, field.Signed && !IsUnsignedName(field.CType));
            string nestedName = member + "Array";
            string nested = $"\n    /// <summary>The {length.ToString(CultureInfo.InvariantCulture)} elements of <c>{Escape(field.Name)}</c>.</summary>\n" +
                            $"    [InlineArray({length.ToString(CultureInfo.InvariantCulture)})]\n" +
                            $"    public struct {nestedName}\n    {{\n        private {elementType} _element0;\n    }}\n";
            return (nestedName, element, nested);
        }
        if (field.IsPointer)
        {
            if (field.Size != 8) throw new NotSupportedException($"pointer field '{field.Name}' has {field.Size} bytes");
            return ("ulong", 8, null);
        }
        if (field.Size is 1 or 2 or 4 or 8) return (Scalar(field.Size, field.Signed), field.Size, null);
        // Anything else (a struct by value, __u128): its bytes.
        string bytesName = member + "Bytes";
        return (bytesName, 1, $"\n    /// <summary>The {field.Size.ToString(CultureInfo.InvariantCulture)} bytes of <c>{Escape(field.Name)}</c>.</summary>\n" +
                             $"    [InlineArray({field.Size.ToString(CultureInfo.InvariantCulture)})]\n" +
                             $"    public struct {bytesName}\n    {{\n        private byte _element0;\n    }}\n");
    }

    /// <summary>The element size of an array: from a numeric bound, else from the element type's name.</summary>
    private static int ElementSize(TracepointField field)
    {
        if (field.ArrayLength is > 0 and int n && field.Size % n == 0 && field.Size / n is 1 or 2 or 4 or 8) return field.Size / n;
        string t = field.CType.Replace("const ", "", StringComparison.Ordinal).Trim();
        int guess = t switch
        {
            _ when t.Contains('*') => 8,
            "char" or "unsigned char" or "signed char" or "u8" or "__u8" or "s8" or "__s8" or "bool" => 1,
            "short" or "unsigned short" or "u16" or "__u16" or "s16" or "__s16" or "__be16" or "__le16" => 2,
            "int" or "unsigned int" or "u32" or "__u32" or "s32" or "__s32" or "pid_t" or "__be32" or "__le32" => 4,
            "long" or "unsigned long" or "u64" or "__u64" or "s64" or "__s64" or "long long" or "unsigned long long" => 8,
            _ => 1,
        };
        return field.Size % guess == 0 ? guess : 1;
    }

    private static bool IsChar(string ctype) => ctype.Replace("const ", "", StringComparison.Ordinal).Trim() is "char" or "unsigned char" or "u8" or "__u8";

    private static bool IsUnsignedName(string ctype) => ctype.Contains("unsigned", StringComparison.Ordinal) || ctype.TrimStart('_').StartsWith('u');

    private static string Scalar(int size, bool signed) => (size, signed) switch
    {
        (1, true) => "sbyte", (1, false) => "byte",
        (2, true) => "short", (2, false) => "ushort",
        (4, true) => "int", (4, false) => "uint",
        (8, true) => "long", _ => "ulong",
    };

    private static string Describe(TracepointField f) => f.Location switch
    {
        TracepointLocationKind.Absolute => $"__data_loc {f.CType} {f.Name}",
        TracepointLocationKind.Relative => $"__rel_loc {f.CType} {f.Name}",
        _ when f.IsArray => $"{f.CType} {f.Name}[{f.ArrayLength?.ToString(CultureInfo.InvariantCulture) ?? ""}]",
        _ => $"{f.CType} {f.Name}",
    };

    private static string Note(TracepointField f) => f.Location switch
    {
        TracepointLocationKind.Absolute => ": the data is at <c>Bpf.AddressOf(in record) + Offset</c>, <c>Length</c> bytes (a string's NUL included)",
        TracepointLocationKind.Relative => $": the data is at <c>Bpf.AddressOf(in record) + {(f.Offset + f.Size).ToString(CultureInfo.InvariantCulture)} + Offset</c> (relative to the field's end)",
        _ when f.IsPointer => ": an address, read through it with Bpf.ProbeReadKernel or Bpf.ProbeReadUser",
        _ when f.CType is "bool" or "_Bool" => ": a C bool, non-zero for true (a byte keeps the struct blittable)",
        _ => "",
    };

    private static int Align(int offset, int align) => (offset + align - 1) / align * align;

    private static string Unique(string name, HashSet<string> used)
    {
        string candidate = name;
        for (int i = 2; !used.Add(candidate); i++) candidate = name + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary><c>sys_enter_openat</c> → <c>SysEnterOpenat</c>; <c>__syscall_nr</c> → <c>SyscallNr</c>.</summary>
    public static string PascalCase(string name)
    {
        var sb = new StringBuilder();
        foreach (string part in name.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries))
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        string result = sb.Length == 0 ? "Field" : sb.ToString();
        return char.IsAsciiDigit(result[0]) ? "_" + result : result;
    }
}
