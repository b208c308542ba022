using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// A sample executable running as a child process, its output collected line by line while it runs: the test
/// waits for a line (the header the tool prints once attached), makes the kernel events, waits for the tool
/// to report them, and stops it with SIGINT as Ctrl-C would.
/// </summary>
internal sealed partial class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(Process process) => _process = process;

    /// <summary>Starts <c>dotnet <paramref name="sampleDll"/> <paramref name="args"/></c>.</summary>
    public static SampleProcess Start(string sampleDll, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [sampleDll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = new Process { StartInfo = psi };
        var sample = new SampleProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) sample._outputClosed.TrySetResult();
            else lock (sample._lines) { sample._lines.Add(e.Data); Monitor.PulseAll(sample._lines); }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (sample._errors) sample._errors.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>The standard output lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>Everything so far, for assertion messages.</summary>
    public string Output
    {
        get
        {
            lock (_lines) lock (_errors) return string.Join('\n', _lines) + (_errors.Length > 0 ? "\n[stderr]\n" + _errors : "");
        }
    }

    /// <summary>Waits for an output line matching <paramref name="predicate"/>; fails the test (with the output so far) on timeout or exit.</summary>
    public string WaitForLine(Func<string, bool> predicate, int timeoutSeconds = 60)
    {
        var deadline = Stopwatch.StartNew();
        lock (_lines)
        {
            int seen = 0;
            while (true)
            {
                for (; seen < _lines.Count; seen++)
                    if (predicate(_lines[seen])) return _lines[seen];
                if (_process.HasExited && _outputClosed.Task.IsCompleted)
                    Assert.Fail($"the sample exited ({_process.ExitCode}) before printing the expected line:\n{Output}");
                TimeSpan left = TimeSpan.FromSeconds(timeoutSeconds) - deadline.Elapsed;
                if (left <= TimeSpan.Zero) Assert.Fail($"no expected line within {timeoutSeconds} s:\n{Output}");
                Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
            }
        }
    }

    /// <summary>Sends SIGINT (what Ctrl-C sends) and waits for the exit code.</summary>
    public int Interrupt(int timeoutSeconds = 30)
    {
        if (!_process.HasExited && kill(_process.Id, SigInt) != 0)
            throw new InvalidOperationException($"kill(SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
        return WaitForExit(timeoutSeconds);
    }

    /// <summary>Waits for the process to exit on its own and for its output to end; fails the test on timeout.</summary>
    public int WaitForExit(int timeoutSeconds = 60)
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            Assert.Fail($"the sample did not exit within {timeoutSeconds} s:\n{Output}");
        _process.WaitForExit(); // drains the asynchronous output readers
        _outputClosed.Task.Wait(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    /// <summary>Kills the sample if it is still running.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }

    private const int SigInt = 2;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
