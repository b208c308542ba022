using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests;

/// <summary>The objects csbpfc produces are ordinary BPF objects: other tools load and read them.</summary>
public class ObjectInteropTests
{
    private static readonly string SamplePath = Path.Combine(RepoPaths.Root, "samples", "OpenCount", "OpenCount.cs");

    private static byte[] CompileSample()
    {
        var result = TestCompiler.Compile(File.ReadAllText(SamplePath), path: SamplePath);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Elf;
    }

    [Fact]
    public void Bpftool_loads_the_object_and_shows_Csharp_lines_and_map_types()
    {
        KernelEnvironment.Require();
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-interop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string obj = Path.Combine(dir, "opencount.bpf.o");
        File.WriteAllBytes(obj, CompileSample());

        var (btfExit, btf) = ProcessRunner.Run("bpftool", "btf", "dump", "file", obj);
        Assert.True(btfExit == 0, btf);
        // The map's key and value types, by their C# names, and the map itself in .maps.
        Assert.Contains("INT 'uint' size=4", btf);
        Assert.Contains("STRUCT 'OpenStats' size=24 vlen=2", btf);
        Assert.Contains("'Count' type_id=", btf);
        Assert.Contains("VAR 'Opens'", btf);
        Assert.Contains("DATASEC '.maps'", btf);
        Assert.Contains("FUNC 'OnOpenat'", btf);

        string pin = "/sys/fs/bpf/csbpf_interop_" + Environment.ProcessId;
        try
        {
            var (loadExit, load) = ProcessRunner.Run("bpftool", "prog", "loadall", obj, pin);
            Assert.True(loadExit == 0, "bpftool prog loadall failed:\n" + load);
            var (dumpExit, dump) = ProcessRunner.Run("bpftool", "prog", "dump", "xlated", "pinned", pin + "/OnOpenat", "linum");
            Assert.True(dumpExit == 0, dump);
            // Line info points at the C# file and shows its source lines.
            Assert.Contains("Opens.GetValueRefOrNullRef(pid);", dump);
            Assert.Contains($"file:{SamplePath}", dump);
            Assert.Contains("lock *(u64 *)", dump); // Interlocked.Increment -> BPF atomic add
        }
        finally
        {
            ProcessRunner.Run("rm", "-rf", pin);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Static_fields_become_rodata_data_and_bss_globals_with_btf()
    {
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class G
            {
                static readonly uint TargetPid = 0;
                static ulong Hits;
                static int Level = 2;
                [Tracepoint("syscalls", "sys_enter_getpid")]
                static int Prog(TracepointContext ctx)
                {
                    if (TargetPid == 0 || (uint)(Bpf.GetCurrentPidTgid() >> 32) == TargetPid) { Hits++; Level += 1; }
                    return 0;
                }
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        string obj = Path.Combine(Path.GetTempPath(), $"csbpf-globals-{Guid.NewGuid():N}.o");
        File.WriteAllBytes(obj, Assert.Single(result.Objects).Elf);
        try
        {
            var (exit, btf) = ProcessRunner.Run("bpftool", "btf", "dump", "file", obj);
            Assert.True(exit == 0, btf);
            Assert.Matches(@"DATASEC '\.rodata' size=\d+ vlen=1\s+type_id=\d+ offset=0 size=4 \(VAR 'TargetPid'\)", btf);
            Assert.Matches(@"DATASEC '\.bss' size=\d+ vlen=1\s+type_id=\d+ offset=0 size=8 \(VAR 'Hits'\)", btf);
            Assert.Matches(@"DATASEC '\.data' size=\d+ vlen=1\s+type_id=\d+ offset=0 size=4 \(VAR 'Level'\)", btf);
        }
        finally { File.Delete(obj); }
    }

    [Fact]
    public void Same_sources_give_byte_identical_objects()
    {
        byte[] first = CompileSample();
        byte[] second = CompileSample();
        Assert.Equal(first, second);
    }
}
