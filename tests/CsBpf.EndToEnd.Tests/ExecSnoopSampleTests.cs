using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using CsBpf.TestSupport;
using Samples.ExecSnoop;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The ExecSnoop sample (execsnoop), built by dotnet build and run as its own process against the live kernel:
/// the test execs uniquely named children and finds them in the tool's output with their pid, parent pid,
/// arguments and return value.
/// </summary>
public class ExecSnoopSampleTests
{
    private static string SampleDll => typeof(ExecTracer).Assembly.Location;

    [Fact]
    public void Execs_show_pid_ppid_arguments_and_return_value()
    {
        KernelEnvironment.Require();
        string token = "csbpf-exec-" + Guid.NewGuid().ToString("N")[..8];
        using var sample = SampleProcess.Start(SampleDll, "-x", "-U", "--max-args", "4");
        sample.WaitForLine(l => l.StartsWith("UID    PCOMM", StringComparison.Ordinal)); // printed once attached

        // A successful exec with more arguments than --max-args 4 shows: the filename and argv[1..3], then "...".
        using var child = Process.Start(new ProcessStartInfo("/bin/true", [token, "second arg", "3", "4", "5"]))!;
        child.WaitForExit();
        // A failed exec (the file is not executable): sh's execve returns -EACCES. (Process.Start itself checks
        // access before forking, so the shell makes the system call.)
        string notExecutable = Path.Combine(Path.GetTempPath(), token + "-noexec");
        File.WriteAllText(notExecutable, "#!/bin/sh\n");
        int shellPid;
        try
        {
            using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"exec {notExecutable} x"]) { RedirectStandardError = true })!;
            shell.WaitForExit();
            Assert.Equal(126, shell.ExitCode); // found but not executable
            shellPid = shell.Id;
        }
        finally { File.Delete(notExecutable); }

        string ok = sample.WaitForLine(l => l.Contains(token + " second arg", StringComparison.Ordinal));
        // (sh's own exec line ends with the same text, after "-c exec")
        string failed = sample.WaitForLine(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries) is [.., var a] && a == notExecutable + " x");
        Assert.Equal(0, sample.Interrupt()); // Ctrl-C: a clean exit

        // UID PCOMM PID PPID RET ARGS
        string[] f = ok.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        Assert.True(f.Length == 6, ok);
        Assert.Equal("0", f[0]);                                           // root runs the tests
        Assert.Equal("true", f[1]);                                        // the new program's comm
        Assert.Equal(child.Id.ToString(), f[2]);
        Assert.Equal(Environment.ProcessId.ToString(), f[3]);              // task->real_parent->tgid is this process
        Assert.Equal("0", f[4]);
        Assert.Equal($"/bin/true {token} second arg 3 ...", f[5]);

        string[] g = failed.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        Assert.True(g.Length == 6, failed);
        Assert.Equal("sh", g[1]);
        Assert.Equal(shellPid.ToString(), g[2]);
        Assert.Equal(Environment.ProcessId.ToString(), g[3]);
        Assert.Equal("-13", g[4]);
        Assert.Equal(notExecutable + " x", g[5]);
    }

    [Fact]
    public void Failed_execs_are_hidden_without_fails_and_duration_ends_the_run()
    {
        KernelEnvironment.Require();
        string token = "csbpf-exec-" + Guid.NewGuid().ToString("N")[..8];
        using var sample = SampleProcess.Start(SampleDll, "-q", "-l", token, "-d", "4");
        sample.WaitForLine(l => l.StartsWith("PCOMM", StringComparison.Ordinal));
        using (var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"exec /nonexistent/{token}"]) { RedirectStandardError = true })!)
            shell.WaitForExit(); // sh is shown (its arguments contain the token), its failed exec is not
        using (var child = Process.Start(new ProcessStartInfo("/bin/true", [token, "a \"quoted\" arg"]))!) child.WaitForExit();

        string line = sample.WaitForLine(l => l.Contains("/bin/true", StringComparison.Ordinal));
        Assert.Equal(0, sample.WaitForExit()); // -d 4
        Assert.EndsWith($"\"/bin/true\" \"{token}\" \"a \\\"quoted\\\" arg\"", line);
        var shown = sample.Lines.Where(l => l.Contains(token, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, shown.Count);
        Assert.EndsWith($"\"/bin/sh\" \"-c\" \"exec /nonexistent/{token}\"", shown[0]);
        Assert.Equal(line, shown[1]);
    }

    [Fact]
    public unsafe void The_entry_program_runs_on_the_CLR_over_this_process_memory()
    {
        // On the CLR, bpf_probe_read_user(_str) read this process's memory: build an argv and call the program.
        string[] argv = ["/usr/bin/prog", .. Enumerable.Range(1, 24).Select(i => "arg" + i)];
        nint[] strings = [.. argv.Select(a => Marshal.StringToCoTaskMemUTF8(a))];
        nint vector = Marshal.AllocCoTaskMem((argv.Length + 1) * sizeof(nint));
        try
        {
            for (int i = 0; i < argv.Length; i++) ((nint*)vector)[i] = strings[i];
            ((nint*)vector)[argv.Length] = 0;
            var record = new SysEnterExecve { SyscallNr = 59, Filename = (ulong)strings[0], Argv = (ulong)vector };
            var enter = typeof(ExecTracer).GetMethod("OnExecveEnter", BindingFlags.NonPublic | BindingFlags.Static)!;
            Assert.Equal(0, enter.Invoke(null, [record]));

            var ring = (CsBpf.RingBuffer)typeof(ExecTracer).GetField("Events", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
            var events = new List<ExecEvent>();
            while (ring.TryRead(out byte[] bytes)) events.Add(MemoryMarshal.Read<ExecEvent>(bytes));
            // MaxArgs is 20 by default: the filename, argv[1..19], then the truncation mark.
            Assert.Equal(21, events.Count);
            Assert.All(events, e => Assert.Equal((uint)Environment.ProcessId, e.Pid));
            Assert.Equal(argv[..20], events.Take(20).Select(e => e.Argument.ToString()));
            Assert.All(events.Take(20), e => Assert.Equal(ExecEventKind.Argument, e.Kind));
            Assert.Equal(ExecEventKind.Truncated, events[20].Kind);
        }
        finally
        {
            foreach (nint s in strings) Marshal.FreeCoTaskMem(s);
            Marshal.FreeCoTaskMem(vector);
        }
    }
}
