using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using CsBpf.Compiler.Tests.Differential;
using CsBpf.Runtime;
using CsBpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace CsBpf.Compiler.Tests;

/// <summary>
/// BpfLog: the compiler splits the interpolated message at compile time (format table in the object, records
/// {format id, level, values} through the csbpf_log ring), the host formats it and logs through ILogger. The
/// text must be what C# itself prints for the same interpolated string, which the CLR run of the same method
/// checks.
/// </summary>
[Collection(BpfLogCollection.Name)]
public class BpfLogTests
{
    private const string Source = """
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;
        [BpfProgram(License = "GPL")]
        public static partial class LogProbe
        {
            public enum Mode : byte { Read = 1, Write = 2 }
            [System.Flags] public enum Perm { None = 0, R = 1, W = 2, X = 4 }
            public enum Offset : short { Minus = -2, Zero = 0 }
            [InlineArray(8)]
            public struct Name8
            {
                private byte _b;
                public override readonly string ToString()
                {
                    ReadOnlySpan<byte> bytes = this;
                    int end = bytes.IndexOf((byte)0);
                    return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
                }
            }
            public struct Args
            {
                public int Marker; public uint Hex; public long Negative; public bool Flag; public Mode Mode; public Perm Perm;
                public ushort Small; public char Letter; public sbyte Tiny; public ulong Big; public Offset Off; public Name8 Name;
            }

            [Syscall]
            public static int Run(ref Args a)
            {
                BpfLog.Info($"marker {a.Marker} hex={a.Hex:x8} neg={a.Negative,6}|{a.Small,-5}| flag={a.Flag} mode={a.Mode} perm={a.Perm} letter={a.Letter} name={a.Name} {{braces}}");
                BpfLog.Debug($"debug {a.Marker} tiny={a.Tiny} big={a.Big:X} off={a.Off} offd={a.Off:D} modex={a.Mode:x} permg={a.Perm:G}");
                BpfLog.Warning("constant warning 100%");
                int marker = a.Marker;
                BpfLog.Error($"error {marker} {marker + 1} {Twice(marker)}");
                return 0;
            }

            static int Twice(int x) => x * 2;

            [Syscall]
            public static int Comm(ref Args a)
            {
                Bpf.GetCurrentComm(out TaskComm comm);
                BpfLog.Info($"comm={comm} pid={(uint)(Bpf.GetCurrentPidTgid() >> 32)} marker={a.Marker}");
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Marker;
        public uint Hex;
        public long Negative;
        public bool Flag;
        public byte Mode;
        public int Perm;
        public ushort Small;
        public char Letter;
        public sbyte Tiny;
        public ulong Big;
        public short Off;
        public Name8 Name;
    }

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct Name8
    {
        private byte _b;
    }

    private static Args WithNameOf(Args a, ReadOnlySpan<byte> name)
    {
        name.CopyTo(a.Name);
        return a;
    }

    private static Args Sample(int marker) => WithNameOf(new()
    {
        Marker = marker,
        Hex = 0xBEEF,
        Negative = -42,
        Flag = true,
        Mode = 2,
        Perm = 5,
        Small = 7,
        Letter = 'Z',
        Tiny = -5,
        Big = 0xDEADBEEFCAFEUL,
        Off = -2,
    }, "abc"u8);

    [Fact]
    public void Messages_properties_and_levels_reach_the_ILogger_as_CSharp_formats_them()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var elf = Assert.Single(result.Objects).Elf;

        // The CLR runs the same method: BpfLog there logs C#'s own formatting of each message.
        var clr = new RecordingLogger();
        var args = Sample(Random.Shared.Next(1_000_000, int.MaxValue / 2));
        RunOnClr(clr, args);

        using var obj = BpfObject.Open(elf, "logprobe");
        obj.Load();
        Assert.True(obj.HasLogging);
        var logger = new RecordingLogger(LogLevel.Information);
        using (var reader = obj.StartLogging(logger))
        {
            var ctx = MemoryMarshal.AsBytes(new Span<Args>(ref args)).ToArray();
            Assert.Equal(0u, KernelTestRun.Run(obj.GetProgram("Run").Fd, ctx));
            reader.Flush();
            Assert.Equal(4, reader.RecordsRead); // the Debug record is written and read, then filtered
            Assert.Equal(0, reader.RecordsLost);
        }

        var expected = clr.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        Assert.Equal(expected.Select(e => (e.Level, e.Message)), logger.Entries.Select(e => (e.Level, e.Message)));
        Assert.Contains(logger.Entries, e => e.Message == $"marker {args.Marker} hex=0000beef neg=   -42|7    | flag=True mode=Write perm=R, X letter=Z name=abc {{braces}}");

        var info = logger.Entries[0];
        Assert.Equal(args.Marker, info["Marker"]);
        Assert.Equal(0xBEEFu, info["Hex"]);
        Assert.Equal(-42L, info["Negative"]);
        Assert.Equal((ushort)7, info["Small"]);
        Assert.Equal(true, info["Flag"]);
        Assert.Equal("Write", info["Mode"]);
        Assert.Equal("R, X", info["Perm"]);
        Assert.Equal('Z', info["Letter"]);
        Assert.Equal("abc", info["Name"]);
        Assert.Equal("marker {Marker} hex={Hex:x8} neg={Negative,6}|{Small,-5}| flag={Flag} mode={Mode} perm={Perm} letter={Letter} name={Name} {{braces}}", info["{OriginalFormat}"]);
        Assert.Matches(@"^src_\w+\.cs:\d+$", info.EventId.Name);
        Assert.Equal(0, info.EventId.Id);

        var error = logger.Entries[2];
        Assert.Equal(["marker", "arg1", "Twice", "{OriginalFormat}"], error.Properties.Select(p => p.Key));
        Assert.Equal("error {marker} {arg1} {Twice}", error["{OriginalFormat}"]);
        Assert.Equal(LogLevel.Warning, logger.Entries[1].Level);
        Assert.Equal("constant warning 100%", logger.Entries[1].Message);
    }

    [Fact]
    public void Enabled_debug_level_gets_the_debug_record_formatted_like_CSharp()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var elf = Assert.Single(result.Objects).Elf;
        var clr = new RecordingLogger();
        var args = Sample(12345);
        RunOnClr(clr, args);

        using var obj = BpfObject.Open(elf, "logprobe");
        obj.Load();
        var factory = new RecordingLogger(LogLevel.Debug);
        using (var reader = obj.StartLogging(factory.Factory))
        {
            var ctx = MemoryMarshal.AsBytes(new Span<Args>(ref args)).ToArray();
            KernelTestRun.Run(obj.GetProgram("Run").Fd, ctx);
            reader.Flush();
        }
        Assert.Equal(["LogProbe"], factory.CreatedCategories);
        var debug = Assert.Single(factory.Entries, e => e.Level == LogLevel.Debug);
        Assert.Equal(Assert.Single(clr.Entries, e => e.Level == LogLevel.Debug).Message, debug.Message);
        Assert.Equal("LogProbe", debug.Category);
        Assert.Equal((sbyte)-5, debug["Tiny"]);
        Assert.Equal(0xDEADBEEFCAFEUL, debug["Big"]);
        Assert.Equal("Minus", debug["Off"]);
    }

    [Fact]
    public void A_minimum_level_set_before_load_removes_the_lower_calls_from_the_program()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var elf = Assert.Single(result.Objects).Elf;

        int Instructions(Microsoft.Extensions.Logging.LogLevel? minimum)
        {
            using var obj = BpfObject.Open(elf, "logprobe");
            Assert.Equal(LogLevel.Trace, obj.MinimumLogLevel);
            if (minimum is { } level) obj.MinimumLogLevel = level;
            obj.Load();
            Assert.Throws<InvalidOperationException>(() => obj.MinimumLogLevel = LogLevel.Debug);
            var logger = new RecordingLogger();
            using (var reader = obj.StartLogging(logger))
            {
                var args = Sample(1);
                var ctx = MemoryMarshal.AsBytes(new Span<Args>(ref args)).ToArray();
                KernelTestRun.Run(obj.GetProgram("Run").Fd, ctx);
                reader.Flush();
                Assert.Equal(minimum is null ? 4 : 2, reader.RecordsRead); // Info and Debug are never written at Warning
            }
            Assert.All(logger.Entries, e => Assert.True(minimum is null || e.Level >= minimum));
            return obj.GetProgram("Run").TranslatedInstructions;
        }

        var all = Instructions(null);
        var warningsUp = Instructions(LogLevel.Warning);
        // The verifier removed the Info and Debug call sites (their reservations, stores and submits) as dead code.
        Assert.True(warningsUp < all - 20, $"{warningsUp} instructions at Warning, {all} at Trace");
    }

    [Fact]
    public void Task_comm_is_logged_as_text_and_the_background_reader_delivers_without_a_flush()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var obj = BpfObject.Open(Assert.Single(result.Objects).Elf, "logprobe");
        obj.Load();
        var logger = new RecordingLogger();
        using var reader = obj.StartLogging(logger);

        var args = Sample(777);
        var ctx = MemoryMarshal.AsBytes(new Span<Args>(ref args)).ToArray();
        string threadComm = "";
        // bpf_get_current_comm sees the calling thread's name: read it on the same thread.
        var thread = new Thread(() =>
        {
            KernelTestRun.Run(obj.GetProgram("Comm").Fd, ctx);
            threadComm = File.ReadAllText("/proc/thread-self/comm").TrimEnd('\n');
        }) { Name = "csbpf-log-comm" };
        thread.Start();
        thread.Join();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (logger.Entries.Count == 0 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal($"comm={threadComm} pid={Environment.ProcessId} marker=777", entry.Message);
        Assert.Equal(threadComm, entry["comm"]);
        Assert.Equal((uint)Environment.ProcessId, entry["arg1"]);
    }

    [Fact]
    public void A_logger_that_throws_loses_its_record_and_the_reader_goes_on()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile(Source);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var obj = BpfObject.Open(Assert.Single(result.Objects).Elf, "logprobe");
        obj.Load();
        var logger = new ThrowingOnceLogger();
        using var reader = obj.StartLogging(logger);
        var args = Sample(5);
        var ctx = MemoryMarshal.AsBytes(new Span<Args>(ref args)).ToArray();
        KernelTestRun.Run(obj.GetProgram("Run").Fd, ctx); // Info (throws), Debug, Warning, Error
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (logger.Inner.Entries.Count < 3 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.Equal([LogLevel.Debug, LogLevel.Warning, LogLevel.Error], logger.Inner.Entries.Select(e => e.Level));
        Assert.Equal(4, reader.RecordsRead);
    }

    /// <summary>Throws on its first message, then records.</summary>
    private sealed class ThrowingOnceLogger : ILogger
    {
        private int _calls;

        public RecordingLogger Inner { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Interlocked.Increment(ref _calls) == 1) throw new InvalidOperationException("logger failure");
            Inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    [Fact]
    public void A_full_ring_drops_records_and_the_reader_reports_how_many()
    {
        KernelEnvironment.Require();
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            [BpfLogOptions(BufferSize = 4096)]
            public static partial class Flood
            {
                public struct Args { public int Count; }
                [Syscall]
                static int Run(ref Args a)
                {
                    for (int i = 0; i < 200; i++)
                        BpfLog.Info($"record {i} of {a.Count} {i} {i} {i} {i}");
                    return 0;
                }
            }
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var obj = BpfObject.Open(Assert.Single(result.Objects).Elf, "flood");
        obj.Load();
        // Run before anyone reads: a record takes 8 (ring header) + 56 bytes, and the ring refuses a reservation
        // that would fill it completely (__bpf_ringbuf_reserve: new_prod_pos - cons_pos > rb->mask), so the
        // 4 KiB ring holds 4096 / 64 - 1 = 63 records; the other 137 are dropped and counted.
        KernelTestRun.Run(obj.GetProgram("Run").Fd, BitConverter.GetBytes(200));
        var logger = new RecordingLogger();
        using (var reader = obj.StartLogging(logger))
        {
            reader.Flush();
            Assert.Equal(63, reader.RecordsRead);
            Assert.Equal(137, reader.RecordsLost);
        }
        var records = logger.Entries.Where(e => e.Level == LogLevel.Information).ToList();
        Assert.Equal(Enumerable.Range(0, 63).Select(i => $"record {i} of 200 {i} {i} {i} {i}"), records.Select(e => e.Message));
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(137UL, warning["Lost"]);
        Assert.Contains("137 BPF log records were dropped", warning.Message);
    }

    [Fact]
    public void The_format_table_is_deterministic_and_an_object_without_BpfLog_has_none()
    {
        var first = TestCompiler.Compile(Source);
        var second = TestCompiler.Compile(Source);
        Assert.True(first.Success, string.Join("\n", first.Diagnostics));
        Assert.Equal(Assert.Single(first.Objects).Elf, Assert.Single(second.Objects).Elf);

        var plain = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Quiet
            {
                public struct Args { public int A; }
                [Syscall] static int Run(ref Args a) => a.A;
            }
            """);
        Assert.True(plain.Success, string.Join("\n", plain.Diagnostics));
        KernelEnvironment.Require();
        using var obj = BpfObject.Open(Assert.Single(plain.Objects).Elf, "quiet");
        obj.Load();
        Assert.False(obj.HasLogging);
        Assert.DoesNotContain(obj.Maps, m => m.Name.StartsWith("csbpf_log", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidOperationException>(() => obj.StartLogging(new RecordingLogger()));
        Assert.Contains("does not log", e.Message);
    }

    [Fact]
    public void Unsupported_values_and_formats_are_diagnostics_at_the_hole()
    {
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class Bad
            {
                public struct Pair { public int A; public int B; }
                public struct Args { public int A; public Pair P; }
                [Syscall]
                static int Run(ref Args a)
                {
                    BpfLog.Info($"pair {a.P}");
                    return 0;
                }
                [Syscall]
                static int Format(ref Args a)
                {
                    BpfLog.Info($"bad {a.A:q}");
                    return 0;
                }
                [Syscall]
                static int NotInline(ref Args a)
                {
                    BpfLog.Warning(a.A > 0 ? "positive" : "negative");
                    return 0;
                }
            }
            """);
        Assert.False(result.Success);
        var type = Assert.Single(result.Diagnostics, d => d.Id == "CSBPF1200");
        Assert.Contains("'a.P' of type 'Bad.Pair'", type.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal("{a.P}", SourceAt(type));
        var format = Assert.Single(result.Diagnostics, d => d.Id == "CSBPF1201" && d.GetMessage(CultureInfo.InvariantCulture).Contains("'q'"));
        Assert.Equal(":q", SourceAt(format));
        var notInline = Assert.Single(result.Diagnostics, d => d.Id == "CSBPF1201" && d.GetMessage(CultureInfo.InvariantCulture).Contains("interpolated string"));
        Assert.Equal("a.A > 0 ? \"positive\" : \"negative\"", SourceAt(notInline));
    }

    [Fact]
    public void An_invalid_ring_size_is_a_diagnostic_on_the_attribute()
    {
        var result = TestCompiler.Compile("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            [BpfLogOptions(BufferSize = 5000)]
            public static partial class Odd
            {
                public struct Args { public int A; }
                [Syscall] static int Run(ref Args a) { BpfLog.Info($"a {a.A}"); return 0; }
            }
            """);
        var d = Assert.Single(result.Diagnostics, d => d.Id == "CSBPF1202");
        Assert.Contains("5000", d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal("BpfLogOptions(BufferSize = 5000)", SourceAt(d));
    }

    private static T ReadAs<T>(byte[] bytes) where T : struct => MemoryMarshal.Read<T>(bytes);

    private static string SourceAt(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    /// <summary>Compiles <see cref="Source"/> as IL and runs LogProbe.Run on the CLR with BpfLog.Logger set.</summary>
    private static void RunOnClr(RecordingLogger logger, Args args)
    {
        var compilation = TestCompiler.CreateCompilation(Source);
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("bpflog-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(stream);
            var type = assembly.GetType("LogProbe")!;
            var argsType = type.GetNestedType("Args")!;
            // Same bytes in the CLR's struct (identical sequential layout; not marshalled: bool and char keep their CLR size).
            var bytes = MemoryMarshal.AsBytes(new Span<Args>(ref args)).ToArray();
            var boxed = typeof(BpfLogTests).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(argsType).Invoke(null, [bytes])!;
            var previousCulture = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            CsBpf.BpfLog.Logger = logger;
            try
            {
                var parameters = new object[] { boxed };
                type.GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, parameters);
            }
            finally
            {
                CsBpf.BpfLog.Logger = null;
                CultureInfo.CurrentCulture = previousCulture;
            }
        }
        finally
        {
            context.Unload();
        }
    }
}

/// <summary>BpfLog.Logger is process-wide: the CLR runs of these tests do not run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BpfLogCollection
{
    public const string Name = "BpfLog";
}
