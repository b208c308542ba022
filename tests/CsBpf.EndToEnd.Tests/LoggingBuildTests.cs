using CsBpf.TestSupport;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// A real project built by dotnet build (csbpfc, the embedded object, the generated loader) whose BPF code logs
/// with BpfLog and is configured through a .rodata global, run as its own process against the live kernel.
/// </summary>
public class LoggingBuildTests
{
    private const string BpfSource = """
        using CsBpf;
        namespace Built;

        [BpfProgram(License = "GPL")]
        public static partial class Probe
        {
            static readonly uint TargetThread; // set by the host before load
            static ulong Calls;               // read by the host while attached

            [Tracepoint("syscalls", "sys_enter_getpid")]
            static int OnGetpid(TracepointContext ctx)
            {
                ulong pidTgid = Bpf.GetCurrentPidTgid();
                if ((uint)pidTgid != TargetThread) return 0; // the host's main thread only (the runtime's threads call getpid too)
                uint pid = (uint)(pidTgid >> 32);
                Calls++;
                Bpf.GetCurrentComm(out TaskComm comm);
                BpfLog.Info($"getpid #{Calls} by {comm} ({pid})");
                return 0;
            }
        }
        """;

    private const string HostSource = """
        using System;
        using System.Runtime.InteropServices;
        using Microsoft.Extensions.Logging;

        using var bpf = Built.Probe.Open();
        bpf.TargetThread = (uint)Native.gettid();
        bpf.Load();
        using var log = bpf.StartLogging(new PrintingLogger());
        bpf.AttachAll();
        for (int i = 0; i < 3; i++) Native.getpid();
        log.Flush();
        Console.WriteLine($"CALLS {bpf.Calls}");

        static partial class Native
        {
            [LibraryImport("libc")]
            internal static partial int getpid();

            [LibraryImport("libc")]
            internal static partial int gettid();
        }

        sealed class PrintingLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var pid = state is System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, object?>> p ? p[2].Value : null;
                Console.WriteLine($"LOG {logLevel} {formatter(state, exception)} [pid property {pid}]");
            }
        }
        """;

    [Fact]
    public void A_built_project_configures_rodata_and_logs_through_ILogger()
    {
        KernelEnvironment.Require();
        string dir = Path.Combine(Path.GetTempPath(), "csbpf-build-" + Guid.NewGuid().ToString("N"), "LoggingProbe");
        Directory.CreateDirectory(dir);
        try
        {
            string samples = Path.Combine(RepoPaths.Root, "samples");
            File.WriteAllText(Path.Combine(dir, "..", "Directory.Build.props"), $"""<Project><Import Project="{samples}/Directory.Build.props" /></Project>""");
            File.WriteAllText(Path.Combine(dir, "..", "Directory.Build.targets"), $"""<Project><Import Project="{samples}/Directory.Build.targets" /></Project>""");
            File.WriteAllText(Path.Combine(dir, "LoggingProbe.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><AllowUnsafeBlocks>true</AllowUnsafeBlocks></PropertyGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(dir, "Bpf.cs"), BpfSource);
            File.WriteAllText(Path.Combine(dir, "Program.cs"), HostSource);

            var (exit, output) = Tools.DotnetBuild(dir);
            Assert.True(exit == 0, output); // TreatWarningsAsErrors is on: the host-set globals raise no CS0649
            string dll = Directory.GetFiles(Path.Combine(dir, "bin"), "LoggingProbe.dll", SearchOption.AllDirectories).Single();
            var (runExit, runOutput) = Tools.Run("dotnet", [dll]);
            Assert.True(runExit == 0, runOutput);

            var lines = runOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var logs = lines.Where(l => l.StartsWith("LOG ", StringComparison.Ordinal)).ToList();
            // Three getpid calls of ours, and possibly the runtime's own on the same thread: every one logged, in order.
            int calls = int.Parse(Assert.Single(lines, l => l.StartsWith("CALLS ", StringComparison.Ordinal))["CALLS ".Length..]);
            Assert.True(calls >= 3 && logs.Count == calls, runOutput);
            for (int i = 0; i < calls; i++)
                Assert.Matches($@"^LOG Information getpid #{i + 1} by \S.* \((\d+)\) \[pid property \1\]$", logs[i]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }
}
