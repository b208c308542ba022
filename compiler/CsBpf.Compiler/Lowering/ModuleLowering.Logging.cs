using System.Text.Json;
using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler.Frontend;
using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Lowering;

// BpfLog: the ring buffer the call sites write to, the drop counter, and the format table (the `.csbpf.log`
// section) the host reads to turn {format id, level, values} records back into messages. Call sites are
// lowered in FunctionLowering.Logging.cs.
internal sealed partial class ModuleLowering
{
    /// <summary>The ring buffer map the records go to (<c>BPF_MAP_TYPE_RINGBUF</c>).</summary>
    public const string LogRingName = "csbpf_log";

    /// <summary>A one-element array counting records dropped because the ring was full.</summary>
    public const string LogLostName = "csbpf_log_lost";

    /// <summary>A <c>.rodata</c> variable: the lowest level the call sites write (Microsoft.Extensions.Logging's
    /// <c>LogLevel</c>, 0 = Trace by default). The host may raise it before load; <c>.rodata</c> is then frozen and
    /// the verifier, which knows its value, removes the call sites below it as dead code.</summary>
    public const string LogLevelName = "csbpf_log_level";

    /// <summary>The ELF section holding the format table (JSON, UTF-8). libbpf skips sections it does not know
    /// ("skipping unrecognized data section"), so the kernel never sees it.</summary>
    public const string LogSectionName = ".csbpf.log";

    /// <summary>The version of the format table's schema (runtime/CsBpf.Runtime/Logging/BpfLogFormatTable.cs reads it).</summary>
    public const int LogSchemaVersion = 1;

    private const string LogOptionsAttribute = "CsBpf.BpfLogOptionsAttribute";
    private const int RingBufType = 27;      // BPF_MAP_TYPE_RINGBUF
    private const int ArrayType = 2;         // BPF_MAP_TYPE_ARRAY
    private const int DefaultLogBufferSize = 256 * 1024;

    private readonly List<LogFormat> _logFormats = [];
    private LValue _logRing;
    private LValue _logLost;
    private LValue _logLevel;
    private long _logBufferSize;

    /// <summary>One call site: its level, the literal text around the holes (one more than holes), the holes,
    /// and the record size.</summary>
    public sealed record LogFormat(int Level, IReadOnlyList<string> Literals, IReadOnlyList<LogHole> Holes, int Size, string Source);

    /// <summary>A hole of a message: property name, how its bytes are read, where they are in the record.</summary>
    /// <param name="Name">The property name (unique within the message).</param>
    /// <param name="Kind"><c>int</c>, <c>uint</c>, <c>bool</c>, <c>char</c>, <c>enum</c> or <c>text</c>.</param>
    /// <param name="TypeSize">The C# type's size (integers and enums are stored widened to 8 bytes; text has this many bytes).</param>
    /// <param name="Offset">The byte offset in the record.</param>
    /// <param name="Alignment">The C# alignment (<c>{x,8}</c>), 0 when absent.</param>
    /// <param name="Format">The C# format string (<c>{x:x}</c>), or null.</param>
    /// <param name="Enum">For enums: the type name, whether it is [Flags], whether it is signed, and its members.</param>
    public sealed record LogHole(string Name, string Kind, int TypeSize, int Offset, int Alignment, string? Format, LogEnum? Enum);

    /// <summary>An enum's name, [Flags], signedness and members (name, value as stored: sign-extended for signed enums).</summary>
    public sealed record LogEnum(string TypeName, bool Flags, bool Signed, IReadOnlyList<(string Name, ulong Value)> Members);

    /// <summary>The ring size the class asks for (<c>[BpfLogOptions(BufferSize = N)]</c>), or the default.</summary>
    public long LogBufferSize
    {
        get
        {
            if (_logBufferSize == 0)
            {
                AttributeData? options = ProgramDiscovery.GetAttribute(Model.Class, LogOptionsAttribute);
                _logBufferSize = options?.NamedArguments.FirstOrDefault(a => a.Key == "BufferSize").Value.Value is int size ? size : DefaultLogBufferSize;
            }
            return _logBufferSize;
        }
    }

    /// <summary>Adds a call site's format; returns its id (call sites are numbered in lowering order, which is
    /// deterministic: programs in declaration order, then the functions they call as they are reached).</summary>
    public int RegisterLogFormat(LogFormat format)
    {
        _logFormats.Add(format);
        return _logFormats.Count - 1;
    }

    /// <summary>The log ring and drop counter maps and the minimum-level variable, created on first use (a class
    /// that never logs has none of them).</summary>
    public (LValue Ring, LValue Lost, LValue MinimumLevel) LogMaps(Location at)
    {
        if (_logRing.IsNull)
        {
            long size = LogBufferSize;
            // The kernel's rule for ring buffers (ringbuf_map_alloc): a power of two, page aligned.
            if (size < 4096 || (size & (size - 1)) != 0)
            {
                AttributeData? options = ProgramDiscovery.GetAttribute(Model.Class, LogOptionsAttribute);
                Location where = options?.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? at;
                throw new LoweringException(Diagnostic.Create(BpfDiagnostics.LogOptions, where, Model.Class.Name,
                    $"BufferSize {size} must be a power of two of at least 4096 bytes (a multiple of the page size), e.g. 262144"));
            }
            _logRing = EmitLogMap(LogRingName, RingBufType, size, key: null, value: null);
            _logLost = EmitLogMap(LogLostName, ArrayType, 1, key: Compilation.GetSpecialType(SpecialType.System_UInt32), value: Compilation.GetSpecialType(SpecialType.System_UInt64));
            _logLevel = EmitLogLevel();
        }
        return (_logRing, _logLost, _logLevel);
    }

    /// <summary>The <see cref="LogLevelName"/> variable: a u32 in <c>.rodata</c> with BTF (the host finds it by name),
    /// not an LLVM constant so its load stays in the code for the verifier to resolve.</summary>
    private LValue EmitLogLevel()
    {
        SyntaxTree tree = Model.Class.DeclaringSyntaxReferences[0].SyntaxTree;
        LMetadata file = FileFor(tree);
        uint line = (uint)(Model.Class.Locations.FirstOrDefault()?.GetLineSpan().StartLinePosition.Line ?? 0) + 1;
        LValue level = Llvm.AddGlobal(Llvm.I32, LogLevelName, ".rodata", Linkage.External, 4);
        LlvmModule.SetInitializer(level, Llvm.ConstInt(Llvm.I32, 0));
        Llvm.AttachDebugInfo(level, Llvm.DiGlobalVariable(CompileUnit, LogLevelName, file, line,
            Types.DebugType(Compilation.GetSpecialType(SpecialType.System_UInt32)), localToUnit: false));
        return level;
    }

    /// <summary>A BTF-defined map like <see cref="EmitMap"/>'s, without key/value members when they are null (ring buffers have none).</summary>
    private LValue EmitLogMap(string name, int type, long maxEntries, ITypeSymbol? key, ITypeSymbol? value)
    {
        SyntaxTree tree = Model.Class.DeclaringSyntaxReferences[0].SyntaxTree;
        LMetadata file = FileFor(tree);
        uint line = (uint)(Model.Class.Locations.FirstOrDefault()?.GetLineSpan().StartLinePosition.Line ?? 0) + 1;
        LMetadata intType = Llvm.DiBasicType("int", 32, DwarfEncoding.Signed);
        LMetadata Encoded(long n) => Llvm.DiPointer(Llvm.DiArray(intType, 32, n, 32));
        var members = new List<LMetadata>
        {
            Llvm.DiMember(file, "type", file, line, 64, 0, 0, Encoded(type)),
            Llvm.DiMember(file, "max_entries", file, line, 64, 0, 64, Encoded(maxEntries)),
        };
        if (key is not null && value is not null)
        {
            members.Add(Llvm.DiMember(file, "key", file, line, 64, 0, 128, Llvm.DiPointer(Types.DebugType(key))));
            members.Add(Llvm.DiMember(file, "value", file, line, 64, 0, 192, Llvm.DiPointer(Types.DebugType(value))));
        }
        var pointers = Enumerable.Repeat(Llvm.Ptr, members.Count).ToArray();
        LType structType = Llvm.Struct(pointers, packed: false);
        LValue global = Llvm.AddGlobal(structType, name, ".maps", Linkage.External, 8);
        LlvmModule.SetInitializer(global, Llvm.ConstNull(structType));
        LMetadata diStruct = Llvm.DiStruct(file, null, file, line, (ulong)members.Count * 64, 0, [.. members]);
        Llvm.AttachDebugInfo(global, Llvm.DiGlobalVariable(CompileUnit, name, file, line, diStruct, localToUnit: false));
        return global;
    }

    /// <summary>
    /// Writes the format table into <see cref="LogSectionName"/> when the class logs: a read-only global with
    /// external linkage (so nothing removes it) and no debug info (so it gets no BTF and libbpf makes no map of
    /// it). The JSON is written field by field in a fixed order: the same sources give the same bytes.
    /// </summary>
    private void EmitLogFormatTable()
    {
        if (_logFormats.Count == 0) return;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("version", LogSchemaVersion);
            json.WriteString("class", Model.FullName);
            json.WriteString("ring", LogRingName);
            json.WriteString("lost", LogLostName);
            json.WriteStartArray("formats");
            for (int id = 0; id < _logFormats.Count; id++)
            {
                LogFormat f = _logFormats[id];
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteNumber("level", f.Level);
                json.WriteNumber("size", f.Size);
                json.WriteString("source", f.Source);
                json.WriteStartArray("literals");
                foreach (string literal in f.Literals) json.WriteStringValue(literal);
                json.WriteEndArray();
                json.WriteStartArray("holes");
                foreach (LogHole h in f.Holes)
                {
                    json.WriteStartObject();
                    json.WriteString("name", h.Name);
                    json.WriteString("kind", h.Kind);
                    json.WriteNumber("typeSize", h.TypeSize);
                    json.WriteNumber("offset", h.Offset);
                    if (h.Alignment != 0) json.WriteNumber("alignment", h.Alignment);
                    if (h.Format is not null) json.WriteString("format", h.Format);
                    if (h.Enum is { } e)
                    {
                        json.WriteString("enum", e.TypeName);
                        json.WriteBoolean("flags", e.Flags);
                        json.WriteBoolean("signed", e.Signed);
                        json.WriteStartArray("members");
                        foreach (var (name, value) in e.Members)
                        {
                            json.WriteStartObject();
                            json.WriteString("name", name);
                            json.WriteNumber("value", value);
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        byte[] bytes = stream.ToArray();
        LType type = Llvm.Array(Llvm.I8, (ulong)bytes.Length);
        LValue table = Llvm.AddGlobal(type, "__csbpf_log_formats", LogSectionName, Linkage.External, 1);
        LlvmModule.SetInitializer(table, Llvm.ConstString(bytes, nullTerminate: false));
        LlvmModule.SetConstant(table);
    }
}
