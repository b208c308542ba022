using System.Diagnostics;

namespace CsBpf.Compiler.Tests;

/// <summary>Runs a command and captures its output (for bpftool and friends).</summary>
internal static class ProcessRunner
{
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
