using System.Diagnostics;
using CsBpf.TestSupport;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// A small C program built with gcc at test time (unique directory, removed on dispose): it waits for a line
/// on stdin (so probes can be attached to its pid first), then calls <c>csbpf_target(i + 40, argv[2], 7)</c>
/// argv[1] times and prints the sum of the results and the last signal it received (SIGUSR1 handler).
/// Built without PIE, so the symbol's address in <c>nm</c> is its run-time address.
/// </summary>
internal sealed class UprobeTarget : IDisposable
{
    public const string Function = "csbpf_target";

    private const string Source = """
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        static volatile sig_atomic_t last_signal;
        static void on_signal(int s) { last_signal = s; }

        __attribute__((noinline)) long csbpf_target(long a, const char *text, long c)
        {
            __asm__ volatile("" ::: "memory");
            return a * 2 + c + (long)strlen(text);
        }

        int main(int argc, char **argv)
        {
            signal(SIGUSR1, on_signal);
            char line[16];
            if (argc < 3 || !fgets(line, sizeof line, stdin)) return 2;
            long n = atol(argv[1]), sum = 0;
            for (long i = 0; i < n; i++) sum += csbpf_target(i + 40, argv[2], 7);
            printf("sum %ld signal %d\n", sum, (int)last_signal);
            return 0;
        }
        """;

    private readonly string _directory;

    public UprobeTarget()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"csbpf-uprobe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        string c = Path.Combine(_directory, "target.c");
        File.WriteAllText(c, Source);
        BinaryPath = Path.Combine(_directory, "target");
        var (exit, output) = ProcessRunner.Run("gcc", "-O2", "-g", "-no-pie", "-fno-omit-frame-pointer", "-o", BinaryPath, c);
        Assert.True(exit == 0, "gcc failed: " + output);
        FunctionAddress = Symbol(Function).Address;
    }

    /// <summary>A symbol's address and size (<c>nm -S</c>).</summary>
    public (ulong Address, ulong Size) Symbol(string name)
    {
        var (exit, symbols) = ProcessRunner.Run("nm", "-S", BinaryPath);
        Assert.True(exit == 0, symbols);
        string[] fields = symbols.Split('\n').Select(l => l.Split(' ')).Single(f => f.Length == 4 && f[3] == name);
        return (Convert.ToUInt64(fields[0], 16), Convert.ToUInt64(fields[1], 16));
    }

    /// <summary>The executable's absolute path.</summary>
    public string BinaryPath { get; }

    /// <summary>The address of <see cref="Function"/> (non-PIE: as loaded).</summary>
    public ulong FunctionAddress { get; }

    /// <summary>What <c>csbpf_target(a, text, 7)</c> returns.</summary>
    public static long Expected(long a, string text) => a * 2 + 7 + text.Length;

    /// <summary>Starts the program, waiting for its go line.</summary>
    public Process Start(int calls, string text)
    {
        var psi = new ProcessStartInfo(BinaryPath, [calls.ToString(System.Globalization.CultureInfo.InvariantCulture), text])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        return Process.Start(psi)!;
    }

    /// <summary>Lets a started program run and returns its output.</summary>
    public static string Finish(Process process)
    {
        process.StandardInput.WriteLine("go");
        process.StandardInput.Flush();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "the uprobe target did not exit");
        Assert.True(process.ExitCode == 0, $"the uprobe target exited with {process.ExitCode}: {output}");
        return output.Trim();
    }

    /// <summary>Runs the program to completion.</summary>
    public string Run(int calls, string text)
    {
        using var p = Start(calls, text);
        return Finish(p);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}
