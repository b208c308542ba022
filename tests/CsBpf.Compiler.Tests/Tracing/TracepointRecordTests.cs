using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using CsBpf.Compiler.Tracepoints;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// Tracepoints that take their typed record, generated from this kernel's tracefs format by
/// <c>csbpfc tracepoint</c> (<see cref="TracepointRecordGenerator"/>) (<c>static int M(ref readonly SysEnterOpenat record)</c>): field
/// reads are loads at the format's offsets (the common header stays unread, as the verifier requires), and a
/// <c>__data_loc</c> string is read from the record with <c>bpf_probe_read_kernel_str</c>.
/// </summary>
public class TracepointRecordTests
{
    internal const string OpenatSource = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class OpenatRecord
        {
            public struct Seen { public ulong Count; public int Nr; public long Dfd; public ulong Flags; public ulong Mode; public long PathLength; public Path64 Path; }

            [InlineArray(64)] public struct Path64 { private byte _e; }

            [Map] static readonly ArrayMap<uint> Target = new(maxEntries: 1);
            [Map] static readonly ArrayMap<Seen> Last = new(maxEntries: 1);

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpenat(ref readonly SysEnterOpenat record)
            {
                ref uint tid = ref Target.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref tid) || tid == 0 || tid != (uint)Bpf.GetCurrentPidTgid()) return 0;
                ref Seen s = ref Last.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref s)) return 0;
                s.Count++;
                s.Nr = record.SyscallNr;
                s.Dfd = (long)record.Dfd;
                s.Flags = record.Flags;
                s.Mode = record.Mode;
                s.PathLength = Bpf.ProbeReadUserStr(out s.Path, record.Filename);
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Seen
    {
        public ulong Count;
        public int Nr;
        public long Dfd;
        public ulong Flags;
        public ulong Mode;
        public long PathLength;
        public Path64 Path;
    }

    [System.Runtime.CompilerServices.InlineArray(64)]
    private struct Path64 { private byte _e; }

    [Fact]
    public unsafe void Typed_record_fields_are_read_at_the_format_offsets()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(OpenatSource, "openat_record", TracepointRecordGenerator.FromTracefs("syscalls", "sys_enter_openat"));
        obj.AttachAll();
        var target = obj.GetArrayMap<uint>("Target");
        string path = Path.Combine(Path.GetTempPath(), $"csbpf-record-{Environment.ProcessId}-{Guid.NewGuid():N}");
        byte[] native = Encoding.UTF8.GetBytes(path + "\0");
        const int flags = 0x80000 | 0x40 | 0x1; // O_CLOEXEC | O_CREAT | O_WRONLY
        const int mode = 0x1a4;                 // 0644
        try
        {
            Native.RunOnThread("csbpf-openat", tid =>
            {
                fixed (byte* p = native)
                {
                    target[0] = 0;
                    Native.close(Native.openat(Native.AtFdCwd, p, flags, mode)); // warm up
                    target[0] = (uint)tid;
                    int fd = Native.openat(Native.AtFdCwd, p, flags, mode);
                    target[0] = 0;
                    Assert.True(fd >= 0);
                    Native.close(fd);
                }
            });
        }
        finally { File.Delete(path); }

        Seen s = obj.GetArrayMap<Seen>("Last")[0];
        Assert.Equal(1UL, s.Count);
        Assert.Equal(257, s.Nr); // __NR_openat on x86-64
        Assert.Equal(Native.AtFdCwd, (int)s.Dfd);
        Assert.Equal((ulong)flags, s.Flags);
        Assert.Equal((ulong)mode, s.Mode);
        Assert.Equal(native.Length, s.PathLength);
        Assert.Equal(path, Encoding.UTF8.GetString(((ReadOnlySpan<byte>)s.Path)[..(native.Length - 1)]));
    }

    private const string ExecSource = """
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class ExecRecord
        {
            public struct Exec { public int OldPid; public int Length; public long Copied; public Path128 Filename; }

            [InlineArray(128)] public struct Path128 { private byte _e; }

            [Map] static readonly HashMap<int, Exec> ByPid = new(maxEntries: 4096);

            [Tracepoint("sched", "sched_process_exec")]
            static int OnExec(ref readonly SchedProcessExec record)
            {
                Exec e = default;
                e.OldPid = record.OldPid;
                e.Length = record.Filename.Length;
                e.Copied = Bpf.ProbeReadKernelStr(out e.Filename, Bpf.AddressOf(in record) + record.Filename.Offset);
                ByPid.Update(record.Pid, e);
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Exec
    {
        public int OldPid;
        public int Length;
        public long Copied;
        public Path128 Filename;
    }

    [System.Runtime.CompilerServices.InlineArray(128)]
    private struct Path128 { private byte _e; }

    [Fact]
    public void A_data_loc_string_is_read_from_the_record()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(ExecSource, "exec_record", TracepointRecordGenerator.FromTracefs("sched", "sched_process_exec"));
        obj.AttachAll();
        using var child = Process.Start(new ProcessStartInfo("/bin/true"))!;
        child.WaitForExit();

        Assert.True(obj.GetHashMap<int, Exec>("ByPid").TryGetValue(child.Id, out Exec e), "the exec of /bin/true was not recorded");
        Assert.Equal(child.Id, e.OldPid);
        Assert.Equal("/bin/true".Length + 1, e.Length);
        Assert.Equal(e.Length, e.Copied);
        Assert.Equal("/bin/true", Encoding.ASCII.GetString(((ReadOnlySpan<byte>)e.Filename)[..9]));
    }

    [Fact]
    public void A_record_taken_by_value_or_by_writable_ref_is_reported()
    {
        string record = TracepointRecordGenerator.FromTracefs("syscalls", "sys_enter_openat");
        var byValue = Compile(OpenatSource.Replace("OnOpenat(ref readonly SysEnterOpenat record)", "OnOpenat(SysEnterOpenat record)"), record);
        Assert.Contains(byValue.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("ref readonly SysEnterOpenat"));
        var byRef = Compile(OpenatSource.Replace("OnOpenat(ref readonly SysEnterOpenat record)", "OnOpenat(ref SysEnterOpenat record)"), record);
        Assert.Contains(byRef.Diagnostics, d => d.Id == "CSBPF1006" && d.GetMessage().Contains("read-only"));
    }

    private static BpfCompilationResult Compile(string source, string record) =>
        BpfCompiler.Compile(TestCompiler.CreateCompilation(source).AddSyntaxTrees(
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(record, new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest), TestCompiler.WriteSource(record))),
            new BpfCompilerOptions { Cpu = "v3" });

    [Theory]
    [InlineData("SysEnterOpenat copy = record; s.Flags = copy.Flags;")]
    [InlineData("s.Flags = Pass(record);")]
    public void Copying_the_whole_record_is_reported_and_reading_through_in_is_not(string statement)
    {
        string record = TracepointRecordGenerator.FromTracefs("syscalls", "sys_enter_openat");
        string source = OpenatSource.Replace("s.Flags = record.Flags;", statement)
            .Replace("[Tracepoint(\"syscalls\", \"sys_enter_openat\")]", "static ulong Pass(SysEnterOpenat r) => r.Flags;\n    static ulong Read(in SysEnterOpenat r) => r.Flags;\n\n    [Tracepoint(\"syscalls\", \"sys_enter_openat\")]");
        var copied = Compile(source, record);
        var d = Assert.Single(copied.Diagnostics);
        Assert.Equal("CSBPF1100", d.Id);
        Assert.Contains("Tracepoint record 'record' is copied as a whole", d.GetMessage());
        var byReference = Compile(source.Replace(statement, "s.Flags = Read(in record);"), record);
        Assert.True(byReference.Success, string.Join("\n", byReference.Diagnostics));
    }
}
