using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using CsBpf.Compiler.Tracepoints;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// <c>csbpfc tracepoint</c>'s record structs: every event of this kernel gets a struct whose fields the CLR lays
/// out at the format's offsets (checked with Marshal.OffsetOf on the compiled structs), the BPF compiler
/// accepts them, and the layout rules (padding, arrays, locations, flexible arrays, packed records) hold on
/// synthetic formats.
/// </summary>
public class TracepointRecordWriterTests
{
    [Fact]
    public void Every_event_of_this_kernel_gets_a_struct_with_the_format_offsets()
    {
        KernelEnvironment.Require();
        string events = "/sys/kernel/tracing/events";
        var sources = new List<string>();
        var expected = new List<(string Type, TracepointFormat Format)>();
        var unsupported = new List<string>();
        int index = 0;
        foreach (string dir in Directory.EnumerateDirectories(events).Order(StringComparer.Ordinal))
            foreach (string eventDir in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            {
                string formatFile = Path.Combine(eventDir, "format");
                if (!File.Exists(formatFile)) continue;
                string category = Path.GetFileName(dir), name = Path.GetFileName(eventDir);
                var format = TracepointFormat.Parse(File.ReadAllText(formatFile));
                string type = "E" + index++;
                try
                {
                    sources.Add(TracepointRecordWriter.Write(category, name, format, type, "Generated"));
                    expected.Add((type, format));
                }
                catch (NotSupportedException e)
                {
                    unsupported.Add($"{category}/{name}: {e.Message}");
                }
            }
        Assert.True(expected.Count > 500, $"only {expected.Count} events");
        // Packed records are rare: a few percent at most, each with a message naming the field.
        Assert.True(unsupported.Count * 50 < expected.Count, string.Join("\n", unsupported));

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = TestCompiler.CreateCompilation("namespace Generated { }")
            .AddSyntaxTrees(sources.Select(s => CSharpSyntaxTree.ParseText(s, parse)));
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Take(20)));
        stream.Position = 0;
        Assembly assembly = new AssemblyLoadContext("records", isCollectible: true).LoadFromStream(stream);

        var wrong = new List<string>();
        foreach (var (type, format) in expected)
        {
            Type t = assembly.GetType("Generated." + type)!;
            var publicFields = t.GetFields(BindingFlags.Public | BindingFlags.Instance);
            var dataFields = format.Fields.Where(f => !f.IsCommon && f.Size > 0).ToList();
            Assert.Equal(dataFields.Count, publicFields.Length);
            for (int i = 0; i < dataFields.Count; i++)
            {
                int offset = (int)Marshal.OffsetOf(t, publicFields[i].Name);
                int size = Marshal.SizeOf(publicFields[i].FieldType);
                if (offset != dataFields[i].Offset || size != dataFields[i].Size)
                    wrong.Add($"{format.Name}.{dataFields[i].Name}: format {dataFields[i].Offset}+{dataFields[i].Size}, C# {offset}+{size}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(30)));
    }

    [Fact]
    public void Records_with_arrays_locations_and_holes_compile_to_bpf_and_load()
    {
        KernelEnvironment.Require();
        const string program = """
            using System.Runtime.CompilerServices;
            using CsBpf;

            [BpfProgram(License = "GPL")]
            public static partial class Records
            {
                [Map] static readonly ArrayMap<long> Sink = new(maxEntries: 4);

                [Tracepoint("sched", "sched_switch")]
                static int OnSwitch(ref readonly SchedSwitch r)
                {
                    Sink.Update(0, r.PrevPid + r.NextPid + r.PrevState + r.NextPrio);
                    return 0;
                }

                [Tracepoint("signal", "signal_generate")]
                static int OnSignal(ref readonly SignalGenerate r)
                {
                    Sink.Update(1, r.Sig + r.Errno + r.Code + r.Pid + r.Result);
                    return 0;
                }

                [Tracepoint("sched", "sched_process_exec")]
                static int OnExec(ref readonly SchedProcessExec r)
                {
                    Sink.Update(2, r.Filename.Offset + r.Filename.Length + r.Pid);
                    return 0;
                }
            }
            """;
        using var obj = TracingPrograms.Load(program, "records",
            TracepointRecordGenerator.FromTracefs("sched", "sched_switch"),
            TracepointRecordGenerator.FromTracefs("signal", "signal_generate"),
            TracepointRecordGenerator.FromTracefs("sched", "sched_process_exec"));
        Assert.Equal(3, obj.AttachAll().Count);
    }

    private const string Synthetic = """
        name: synthetic
        ID: 4242
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:u8 kind;	offset:8;	size:1;	signed:0;
        	field:bool enabled;	offset:9;	size:1;	signed:0;
        	field:int value;	offset:12;	size:4;	signed:1;
        	field:unsigned long ips[4];	offset:16;	size:32;	signed:0;
        	field:char name[10];	offset:48;	size:10;	signed:0;
        	field:__data_loc char[] path;	offset:60;	size:4;	signed:0;
        	field:__rel_loc u8[] blob;	offset:64;	size:4;	signed:0;
        	field:u32 late;	offset:72;	size:4;	signed:0;
        	field:unsigned int value_;	offset:76;	size:4;	signed:0;
        	field:unsigned long tail[];	offset:80;	size:0;	signed:0;

        print fmt: "kind=%u", REC->kind
        """;

    [Fact]
    public void Synthetic_format_covers_padding_arrays_locations_and_flexible_arrays()
    {
        string source = TracepointRecordWriter.Write("test", "synthetic", TracepointFormat.Parse(Synthetic));
        Assert.Contains("public struct Synthetic", source);
        Assert.Contains("event id 4242", source);
        Assert.Contains("public byte Kind;", source);
        Assert.Contains("public byte Enabled;", source);
        Assert.Contains("public int Value;", source);
        Assert.Contains("public IpsArray Ips;", source);
        Assert.Contains("private ulong _element0;", source);
        Assert.Contains("public NameArray Name;", source);
        Assert.Contains("public DataLocation Path;", source);
        Assert.Contains("public DataLocation Blob;", source);
        Assert.Contains("Bpf.AddressOf(in record) + 68 + Offset", source); // __rel_loc counts from the field's end
        Assert.Contains("private readonly byte _pad0;", source);               // 58..60 and 68..72 are holes
        Assert.Contains("public uint Late;", source);
        Assert.Contains("public uint Value2;", source);                       // value_ collides with value
        Assert.Contains("public const int TailOffset = 80;", source);

        var compilation = TestCompiler.CreateCompilation(source);
        using var stream = new MemoryStream();
        Assert.True(compilation.Emit(stream).Success);
        stream.Position = 0;
        Type t = new AssemblyLoadContext("synthetic", isCollectible: true).LoadFromStream(stream).GetType("Synthetic")!;
        foreach (var (field, offset) in new[] { ("Kind", 8), ("Enabled", 9), ("Value", 12), ("Ips", 16), ("Name", 48), ("Path", 60), ("Blob", 64), ("Late", 72), ("Value2", 76) })
            Assert.Equal(offset, (int)Marshal.OffsetOf(t, field));
    }

    [Fact]
    public void A_packed_record_is_refused_with_the_field_named()
    {
        string packed = Synthetic.Replace("field:int value;\toffset:12;", "field:int value;\toffset:10;");
        var e = Assert.Throws<NotSupportedException>(() => TracepointRecordWriter.Write("test", "synthetic", TracepointFormat.Parse(packed)));
        Assert.Contains("field 'value'", e.Message);
        Assert.Contains("offset 10", e.Message);
        Assert.Throws<FormatException>(() => TracepointFormat.Parse("name: nothing\nformat:\n"));
    }

    [Fact]
    public void Missing_events_and_categories_are_named()
    {
        KernelEnvironment.Require();
        var noEvent = Assert.Throws<FileNotFoundException>(() => TracepointRecordGenerator.FromTracefs("syscalls", "sys_enter_nothing"));
        Assert.Contains("category 'syscalls' has no event 'sys_enter_nothing'", noEvent.Message);
        var noCategory = Assert.Throws<FileNotFoundException>(() => TracepointRecordGenerator.FromTracefs("nocategory", "x"));
        Assert.Contains("there is no category 'nocategory'", noCategory.Message);
        Assert.Throws<ArgumentException>(() => TracepointRecordGenerator.FromTracefs("../etc", "passwd"));
    }
}
