using System.Diagnostics;

namespace CsBpf.TestSupport;

/// <summary>Runs a child process with a time limit and returns its exit code and combined output.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="file"/>; kills the whole process tree and throws on timeout. A null value in
    /// <paramref name="environment"/> removes that variable.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null,
        string? workingDirectory = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        if (environment is not null)
            foreach (var (k, v) in environment)
            {
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Runs <paramref name="file"/> with the given arguments.</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);
}
