using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CsBpf.Runtime.Logging;

/// <summary>
/// The format table the CsBpf compiler writes into a BPF object's <c>.csbpf.log</c> section (see
/// compiler/CsBpf.Compiler/Lowering/ModuleLowering.Logging.cs): one entry per <c>BpfLog</c> call site, with the
/// literal text, the typed holes and where each hole's bytes are in the site's records.
/// </summary>
internal sealed class BpfLogFormatTable
{
    /// <summary>The section name.</summary>
    public const string SectionName = ".csbpf.log";

    /// <summary>The schema version this runtime reads.</summary>
    public const int SupportedVersion = 1;

    private BpfLogFormatTable(string className, string ringName, string lostName, BpfLogFormat[] formats)
    {
        ClassName = className;
        RingName = ringName;
        LostName = lostName;
        Formats = formats;
    }

    /// <summary>The <c>[BpfProgram]</c> class's full name (the default logger category).</summary>
    public string ClassName { get; }

    /// <summary>The ring buffer map's name.</summary>
    public string RingName { get; }

    /// <summary>The drop counter map's name.</summary>
    public string LostName { get; }

    /// <summary>The call sites, indexed by format id.</summary>
    public BpfLogFormat[] Formats { get; }

    /// <summary>Reads the table from an ELF object; null when the object has no <c>.csbpf.log</c> section.</summary>
    /// <exception cref="BpfException">The section is malformed or from a newer compiler.</exception>
    public static BpfLogFormatTable? TryRead(ReadOnlySpan<byte> elf, string objectName)
    {
        var section = ElfSections.Find(elf, SectionName);
        if (section.IsEmpty) return null;
        try
        {
            using var document = JsonDocument.Parse(section.ToArray());
            var root = document.RootElement;
            var version = root.GetProperty("version").GetInt32();
            if (version != SupportedVersion)
                throw new BpfException($"BPF object '{objectName}' has a BpfLog format table of version {version}; this CsBpf.Runtime reads version {SupportedVersion}. Use the runtime that matches the compiler.");
            var formats = root.GetProperty("formats").EnumerateArray().Select(ReadFormat).ToArray();
            for (var i = 0; i < formats.Length; i++)
                if (formats[i].Id != i) throw new FormatException($"format {i} has id {formats[i].Id}");
            return new BpfLogFormatTable(root.GetProperty("class").GetString()!, root.GetProperty("ring").GetString()!,
                root.GetProperty("lost").GetString()!, formats);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BpfException($"BPF object '{objectName}' has a malformed BpfLog format table ({SectionName}): {e.Message}");
        }
    }

    private static BpfLogFormat ReadFormat(JsonElement e)
    {
        var literals = e.GetProperty("literals").EnumerateArray().Select(l => l.GetString()!).ToArray();
        var holes = e.GetProperty("holes").EnumerateArray().Select(h => new BpfLogHole(
            h.GetProperty("name").GetString()!,
            h.GetProperty("kind").GetString()! switch
            {
                "int" => BpfLogHoleKind.Signed,
                "uint" => BpfLogHoleKind.Unsigned,
                "bool" => BpfLogHoleKind.Boolean,
                "char" => BpfLogHoleKind.Char,
                "enum" => BpfLogHoleKind.Enum,
                "text" => BpfLogHoleKind.Text,
                var other => throw new FormatException($"unknown hole kind '{other}'"),
            },
            h.GetProperty("typeSize").GetInt32(),
            h.GetProperty("offset").GetInt32(),
            h.TryGetProperty("alignment", out var a) ? a.GetInt32() : 0,
            h.TryGetProperty("format", out var f) ? f.GetString() : null,
            h.TryGetProperty("members", out var members)
                ? new BpfLogEnum(h.GetProperty("flags").GetBoolean(), h.GetProperty("signed").GetBoolean(),
                    [.. members.EnumerateArray().Select(m => (m.GetProperty("name").GetString()!, m.GetProperty("value").GetUInt64()))])
                : null)).ToArray();
        if (literals.Length != holes.Length + 1) throw new FormatException("literals and holes do not interleave");
        var size = e.GetProperty("size").GetInt32();
        foreach (var hole in holes)
            if (hole.Offset < 8 || hole.Offset + hole.StoredSize > size) throw new FormatException($"hole '{hole.Name}' lies outside the {size}-byte record");
        return new BpfLogFormat(e.GetProperty("id").GetInt32(), (LogLevel)e.GetProperty("level").GetInt32(), size,
            e.GetProperty("source").GetString()!, literals, holes);
    }
}

/// <summary>How a hole's bytes are read and printed.</summary>
internal enum BpfLogHoleKind
{
    Signed,
    Unsigned,
    Boolean,
    Char,
    Enum,
    Text,
}

/// <summary>An enum hole's members (values as stored: sign-extended to 64 bits for signed enums).</summary>
internal sealed record BpfLogEnum(bool Flags, bool Signed, (string Name, ulong Value)[] Members);

/// <summary>One hole of a call site's message.</summary>
internal sealed record BpfLogHole(string Name, BpfLogHoleKind Kind, int TypeSize, int Offset, int Alignment, string? Format, BpfLogEnum? Enum)
{
    /// <summary>Bytes in the record: 8 for scalars (widened), the buffer's size for text.</summary>
    public int StoredSize => Kind == BpfLogHoleKind.Text ? TypeSize : 8;

    /// <summary>The hole's value from <paramref name="record"/>, typed as in C# (integers keep their size and
    /// signedness; enums become their name; text a string).</summary>
    public object Read(ReadOnlySpan<byte> record)
    {
        var bytes = record.Slice(Offset, StoredSize);
        if (Kind == BpfLogHoleKind.Text)
        {
            var end = bytes.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }
        var raw = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return Kind switch
        {
            BpfLogHoleKind.Boolean => raw != 0,
            BpfLogHoleKind.Char => (char)raw,
            BpfLogHoleKind.Enum => BpfLogEnumFormatter.Format(raw, Enum!, TypeSize, null),
            BpfLogHoleKind.Signed => TypeSize switch
            {
                1 => (sbyte)raw,
                2 => (short)raw,
                4 => (int)raw,
                _ => (object)(long)raw,
            },
            _ => TypeSize switch
            {
                1 => (byte)raw,
                2 => (ushort)raw,
                4 => (uint)raw,
                _ => (object)raw,
            },
        };
    }

    /// <summary>The hole as C#'s interpolation prints it (format and alignment applied, invariant culture).</summary>
    public string Print(ReadOnlySpan<byte> record, object value)
    {
        var text = Kind switch
        {
            BpfLogHoleKind.Signed or BpfLogHoleKind.Unsigned => ((IFormattable)value).ToString(Format, CultureInfo.InvariantCulture),
            BpfLogHoleKind.Boolean => (bool)value ? bool.TrueString : bool.FalseString,
            BpfLogHoleKind.Enum when Format is not null => BpfLogEnumFormatter.Format(BinaryPrimitives.ReadUInt64LittleEndian(record[Offset..]), Enum!, TypeSize, Format),
            _ => value.ToString()!,
        };
        return Alignment switch
        {
            > 0 => text.PadLeft(Alignment),
            < 0 => text.PadRight(-Alignment),
            _ => text,
        };
    }
}

/// <summary>One <c>BpfLog</c> call site.</summary>
internal sealed class BpfLogFormat
{
    public BpfLogFormat(int id, LogLevel level, int size, string source, string[] literals, BpfLogHole[] holes)
    {
        Id = id;
        Level = level;
        Size = size;
        Source = source;
        Literals = literals;
        Holes = holes;
        EventId = new EventId(id, source);
        Template = BuildTemplate(literals, holes);
    }

    public int Id { get; }

    public LogLevel Level { get; }

    /// <summary>The record size the call site reserves.</summary>
    public int Size { get; }

    /// <summary>"File.cs:12".</summary>
    public string Source { get; }

    public string[] Literals { get; }

    public BpfLogHole[] Holes { get; }

    /// <summary>The event id: the format id, named by the call site.</summary>
    public EventId EventId { get; }

    /// <summary>The message template with named holes (<c>opened {path} by {pid}</c>): the <c>{OriginalFormat}</c> property.</summary>
    public string Template { get; }

    private static string BuildTemplate(string[] literals, BpfLogHole[] holes)
    {
        var template = new StringBuilder();
        for (var i = 0; i < holes.Length; i++)
        {
            template.Append(literals[i].Replace("{", "{{").Replace("}", "}}"));
            template.Append('{').Append(holes[i].Name);
            if (holes[i].Alignment != 0) template.Append(',').Append(holes[i].Alignment.ToString(CultureInfo.InvariantCulture));
            if (holes[i].Format is { } format) template.Append(':').Append(format);
            template.Append('}');
        }
        template.Append(literals[^1].Replace("{", "{{").Replace("}", "}}"));
        return template.ToString();
    }
}

/// <summary><c>Enum.ToString(format)</c> for an enum known only by its members (the host may not have the type).</summary>
internal static class BpfLogEnumFormatter
{
    public static string Format(ulong raw, BpfLogEnum info, int size, string? format)
    {
        var bits = size * 8;
        var mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        switch (format)
        {
            case "D" or "d":
                return Number(raw, info, mask);
            case "X" or "x":
                // Enum.ToString("X"): the underlying value in hex, zero-padded to the type's width.
                var hex = (raw & mask).ToString("X" + (size * 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                return format == "x" ? hex.ToLowerInvariant() : hex;
            case "F" or "f":
                return Flags(raw, info, mask) ?? Number(raw, info, mask);
            default:
                foreach (var (name, value) in info.Members)
                    if (value == raw) return name;
                return (info.Flags ? Flags(raw, info, mask) : null) ?? Number(raw, info, mask);
        }
    }

    private static string Number(ulong raw, BpfLogEnum info, ulong mask) =>
        info.Signed ? ((long)raw).ToString(CultureInfo.InvariantCulture) : (raw & mask).ToString(CultureInfo.InvariantCulture);

    /// <summary>The names of the flags making up <paramref name="raw"/> ("Read, Write"), or null when they do not
    /// cover it (then .NET prints the number).</summary>
    private static string? Flags(ulong raw, BpfLogEnum info, ulong mask)
    {
        var value = raw & mask;
        var members = info.Members.Select(m => (m.Name, Value: m.Value & mask)).OrderBy(m => m.Value).ToArray();
        if (value == 0)
            return members.FirstOrDefault(m => m.Value == 0).Name ?? "0";
        var names = new List<string>();
        var remaining = value;
        for (var i = members.Length - 1; i >= 0 && remaining != 0; i--)
        {
            var member = members[i].Value;
            if (member != 0 && (remaining & member) == member)
            {
                remaining &= ~member;
                names.Add(members[i].Name);
            }
        }
        if (remaining != 0) return null;
        names.Reverse();
        return string.Join(", ", names);
    }
}
