using System.Reflection;
using System.Runtime.InteropServices;
using CsBpf.TestSupport;
using Samples.OpenSnoop;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The OpenSnoop sample (opensnoop through BpfLog), built by dotnet build: run as its own process against the
/// live kernel, loaded in this process with a recording ILogger (the structured properties), and on the CLR
/// (the same message text, formatted by C#).
/// </summary>
public class OpenSnoopSampleTests
{
    private static string SampleDll => typeof(OpenTracer).Assembly.Location;

    [Fact]
    public void Opens_of_this_process_show_fd_errno_flags_and_path()
    {
        KernelEnvironment.Require();
        string token = "csbpf-open-" + Guid.NewGuid().ToString("N")[..8];
        string existing = Path.Combine(Path.GetTempPath(), token), missing = existing + "-missing";
        File.WriteAllText(existing, "x");
        try
        {
            using var sample = SampleProcess.Start(SampleDll, "-e", "-p", Environment.ProcessId.ToString());
            sample.WaitForLine(l => l.StartsWith("PID    COMM", StringComparison.Ordinal)); // printed once attached
            int fd;
            using (var file = File.OpenHandle(existing))
            {
                fd = (int)file.DangerousGetHandle();
                Assert.Throws<FileNotFoundException>(() => File.OpenHandle(missing).Dispose());
            }
            string opened = sample.WaitForLine(l => l.EndsWith(" " + existing, StringComparison.Ordinal));
            string failed = sample.WaitForLine(l => l.EndsWith(" " + missing, StringComparison.Ordinal));
            Assert.Equal(0, sample.Interrupt());

            // PID COMM FD ERR FLAGS PATH (COMM, a thread name, may hold spaces: read the columns from the right)
            string[] o = opened.Split(' ', StringSplitOptions.RemoveEmptyEntries), f = failed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Environment.ProcessId.ToString(), o[0]);
            Assert.Equal([fd.ToString(), "0", "02000000", existing], o[^4..]); // O_RDONLY | O_CLOEXEC, in octal
            Assert.Equal(Environment.ProcessId.ToString(), f[0]);
            Assert.Equal(["-1", "2", "02000000", missing], f[^4..]);           // ENOENT
            Assert.All(sample.Lines.Skip(1), l => Assert.StartsWith(Environment.ProcessId + " ", l));
        }
        finally { File.Delete(existing); }
    }

    [Fact]
    public void Log_entries_carry_the_message_holes_as_properties()
    {
        KernelEnvironment.Require();
        string missing = Path.Combine(Path.GetTempPath(), "csbpf-open-" + Guid.NewGuid().ToString("N")[..8]);
        var recorder = new RecordingLogger();
        using var bpf = OpenTracer.Open();
        bpf.TargetPid = (uint)Environment.ProcessId;
        bpf.FailedOnly = true;
        bpf.Load();
        using (var logging = bpf.StartLogging(recorder))
        {
            bpf.AttachAll();
            using (File.OpenHandle(SampleDll)) { } // succeeds: not logged (-x)
            Assert.Throws<FileNotFoundException>(() => File.OpenHandle(missing).Dispose());
            logging.Flush();
        }

        var entry = Assert.Single(recorder.Entries, e => e.Properties.Any(p => p.Key == "path" && p.Value?.ToString() == missing));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, entry.Level);
        Assert.Equal(-1, Convert.ToInt32(entry["fd"]));
        Assert.Equal(2, Convert.ToInt32(entry["errno"]));
        Assert.Equal((uint)Environment.ProcessId, Convert.ToUInt32(entry["pid"]));
        Assert.Equal("{comm} ({pid}) opened {path} flags {flags:x}: fd {fd} errno {errno}", entry["{OriginalFormat}"]);
        Assert.EndsWith($") opened {missing} flags 80000: fd -1 errno 2", entry.Message);
        Assert.All(recorder.Entries.Where(e => e.Properties.Any(p => p.Key == "fd")), e => Assert.Equal(-1, Convert.ToInt32(e["fd"])));
    }

    [Fact]
    public void The_programs_log_the_same_message_on_the_CLR()
    {
        var flags = BindingFlags.NonPublic | BindingFlags.Static;
        var enter = typeof(OpenTracer).GetMethod("OnEnter", flags)!;
        var exit = typeof(OpenTracer).GetMethod("OnExit", flags)!;
        var recorder = new RecordingLogger();
        CsBpf.BpfLog.Logger = recorder;
        nint path = Marshal.StringToCoTaskMemUTF8("/etc/csbpf-clr-example");
        try
        {
            Assert.Equal(0, enter.Invoke(null, [new SysEnterOpenat { Filename = (ulong)path, Flags = 0x80000 }]));
            Assert.Equal(0, exit.Invoke(null, [new SysExitOpenat { Ret = -2 }]));
            Assert.Equal(0, exit.Invoke(null, [new SysExitOpenat { Ret = 5 }])); // no entry pending: nothing
        }
        finally
        {
            CsBpf.BpfLog.Logger = null;
            Marshal.FreeCoTaskMem(path);
        }
        var entry = Assert.Single(recorder.Entries);
        CsBpf.Bpf.GetCurrentComm(out CsBpf.TaskComm comm);
        Assert.Equal($"{comm} ({Environment.ProcessId}) opened /etc/csbpf-clr-example flags 80000: fd -1 errno 2", entry.Message);
    }
}
