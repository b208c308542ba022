using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// USDT probes in C#: a C program with <c>DTRACE_PROBE</c> sites (sys/sdt.h) built at test time; the programs'
/// parameters are decoded from each site's argument spec (registers, memory, constants; 64/32/16-bit, signed)
/// by the decoder the compiler adds, and must equal what the C program passed.
/// </summary>
public sealed class UsdtTests : IDisposable
{
    private const string CSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <sys/sdt.h>

        int main(int argc, char **argv)
        {
            char line[16];
            if (argc < 2 || !fgets(line, sizeof line, stdin)) return 2;
            long n = atol(argv[1]);
            volatile short small = -3;
            for (long i = 0; i < n; i++)
            {
                int value = (int)(-i - 1);
                DTRACE_PROBE4(csbpf, tick, i, argv[1], value, small);
                DTRACE_PROBE1(csbpf, constant, 42);
            }
            printf("done\n");
            return 0;
        }
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"csbpf-usdt-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly string _binary;

    public UsdtTests()
    {
        Directory.CreateDirectory(_directory);
        string c = Path.Combine(_directory, "usdt.c");
        File.WriteAllText(c, CSource);
        _binary = Path.Combine(_directory, "usdt");
        var (exit, output) = ProcessRunner.Run("gcc", "-O2", "-o", _binary, c);
        Assert.True(exit == 0, "gcc failed (is systemtap-sdt-dev installed? eng/install-prereqs.sh): " + output);
    }

    public void Dispose() => Directory.Delete(_directory, true);

    private string Source => $$"""
        using System.Runtime.CompilerServices;
        using CsBpf;

        namespace UsdtPrograms;

        [BpfProgram(License = "GPL")]
        public static partial class Ticks
        {
            public struct Tick { public ulong Count; public long I; public long TextLength; public Text8 Text; public int Value; public short Small; public long Constant; }

            [InlineArray(8)] public struct Text8 { private byte _e; }

            [Map] static readonly ArrayMap<Tick> Last = new(maxEntries: 1);
            [Map] static readonly HashMap<uint, ulong> ExplicitByProcess = new(maxEntries: 16);

            [Usdt("{{_binary}}", "csbpf", "tick")]
            static int OnTick(long i, ulong text, int value, short small)
            {
                ref Tick t = ref Last.GetValueRefOrNullRef(0);
                if (Unsafe.IsNullRef(ref t)) return 0;
                t.Count++;
                t.I = i;
                t.TextLength = Bpf.ProbeReadUserStr(out t.Text, text);
                t.Value = value;
                t.Small = small;
                return 0;
            }

            [Usdt("{{_binary}}", "csbpf", "constant")]
            static int OnConstant(long c)
            {
                ref Tick t = ref Last.GetValueRefOrNullRef(0);
                if (!Unsafe.IsNullRef(ref t)) t.Constant = c;
                return 0;
            }

            [Usdt]
            static int Explicit(long i)
            {
                uint tgid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                ExplicitByProcess.Update(tgid, (ulong)i + 1);
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Tick
    {
        public ulong Count;
        public long I;
        public long TextLength;
        public long Text; // 8 bytes
        public int Value;
        public short Small;
        public long Constant;
    }

    [Fact]
    public void Usdt_arguments_of_every_kind_are_decoded_like_the_c_program_passed_them()
    {
        KernelEnvironment.Require();
        using var obj = TracingPrograms.Load(Source, "usdt_ticks");
        Assert.Equal($"usdt/{_binary}:csbpf:tick", obj.GetProgram("OnTick").SectionName);
        // The two probes named in their attributes attach by section; Explicit (plain [Usdt]) only by AttachUsdt.
        using var tick = obj.GetProgram("OnTick").Attach();
        using var constant = obj.GetProgram("OnConstant").Attach();

        using (var first = Start("3"))
        using (var second = Start("5"))
        {
            using var link = obj.GetProgram("Explicit").AttachUsdt(_binary, "csbpf", "tick", pid: second.Id);
            Finish(first);
            Finish(second);
            var byProcess = obj.GetHashMap<uint, ulong>("ExplicitByProcess");
            Assert.False(byProcess.TryGetValue((uint)first.Id, out _));
            Assert.True(byProcess.TryGetValue((uint)second.Id, out ulong last));
            Assert.Equal(5UL, last); // i = 4, plus one
        }

        Tick t = obj.GetArrayMap<Tick>("Last")[0];
        Assert.Equal(8UL, t.Count); // 3 + 5 calls
        Assert.Equal(4L, t.I);      // the last call of the second process
        Assert.Equal(2L, t.TextLength);
        Assert.Equal("5", Encoding.ASCII.GetString(BitConverter.GetBytes(t.Text), 0, 1));
        Assert.Equal(-5, t.Value);
        Assert.Equal((short)-3, t.Small);
        Assert.Equal(42L, t.Constant);
    }

    [Fact]
    public void A_usdt_program_in_a_non_gpl_class_is_reported()
    {
        var result = TestCompiler.Compile(Source.Replace("License = \"GPL\"", "License = \"MIT\""));
        Assert.Contains(result.Diagnostics, d => d.Id == "CSBPF0041" && d.GetMessage().Contains("to decode its USDT arguments"));
    }

    private Process Start(string calls)
    {
        var p = Process.Start(new ProcessStartInfo(_binary, [calls]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        return p;
    }

    private static void Finish(Process p)
    {
        p.StandardInput.WriteLine("go");
        p.StandardInput.Flush();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal("done", output.Trim());
    }
}
