using System.Runtime.InteropServices;
using CsBpf.TestSupport;
using Samples.Profile;

namespace CsBpf.EndToEnd.Tests;

/// <summary>
/// The Profile sample (BCC's profile), built by dotnet build and run as its own process against the live kernel:
/// a named thread of the test spins on <c>getppid()</c>, and its samples must show up under its name with the
/// system call's kernel frames (from /proc/kallsyms) and libc's <c>getppid</c> as the innermost user frame (from
/// libc's ELF symbols).
/// </summary>
public sealed partial class ProfileSampleTests : IDisposable
{
    private static string SampleDll => typeof(CpuProfiler).Assembly.Location;

    private readonly string _name = "prof-" + Guid.NewGuid().ToString("N")[..8]; // the thread's comm
    private readonly CancellationTokenSource _running = new();
    private readonly Thread _spinner;
    private long _calls;

    public ProfileSampleTests()
    {
        _spinner = new Thread(() =>
        {
            while (!_running.IsCancellationRequested)
            {
                getppid(); // a system call: samples land in the kernel and in libc
                _calls++;
            }
        }) { Name = _name, IsBackground = true };
        _spinner.Start();
    }

    public void Dispose()
    {
        _running.Cancel();
        _spinner.Join();
        _running.Dispose();
    }

    [Fact]
    public void Samples_of_a_spinning_thread_show_its_kernel_and_user_stacks()
    {
        KernelEnvironment.Require();
        using var sample = SampleProcess.Start(SampleDll, "-p", Environment.ProcessId.ToString(), "-F", "199", "-d", "3");
        Assert.Equal(0, sample.WaitForExit());
        Assert.True(_calls > 0);

        var lines = sample.Lines;
        Assert.Equal($"Sampling at 199 Hertz of PID {Environment.ProcessId} by user + kernel stack for 3 secs.", lines[0]);
        // Blocks: frames, "    -                comm (pid)", "        count", "".
        var blocks = new List<(List<string> Frames, string Comm, int Pid, long Count)>();
        var frames = new List<string>();
        for (int i = 1; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) continue;
            if (lines[i].StartsWith("    -                ", StringComparison.Ordinal))
            {
                string task = lines[i][21..];
                int open = task.LastIndexOf(" (", StringComparison.Ordinal);
                blocks.Add((frames, task[..open], int.Parse(task[(open + 2)..^1]), long.Parse(lines[++i].Trim())));
                frames = [];
            }
            else frames.Add(lines[i].Trim());
        }
        Assert.NotEmpty(blocks);
        Assert.All(blocks, b => Assert.Equal(Environment.ProcessId, b.Pid)); // -p
        Assert.True(blocks.Zip(blocks.Skip(1)).All(p => p.First.Count <= p.Second.Count), "sorted with the hottest stack last");

        var ours = blocks.Where(b => b.Comm == _name).ToList();
        long samples = ours.Sum(b => b.Count);
        Assert.True(samples >= 10, $"{samples} samples of {_name}\n{sample.Output}");
        // Kernel frames first (innermost first), the "--" delimiter (-d), then user frames: getppid innermost.
        Assert.Contains(ours, b =>
            b.Frames.IndexOf("--") is int d and > 0 && b.Frames[..d].Contains("do_syscall_64") && b.Frames.ElementAtOrDefault(d + 1) == "getppid");
    }

    [Fact]
    public void Folded_output_has_one_line_per_stack_outermost_frame_first()
    {
        KernelEnvironment.Require();
        using var sample = SampleProcess.Start(SampleDll, "-f", "-d", "-p", Environment.ProcessId.ToString(), "-F", "199", "2");
        Assert.Equal(0, sample.WaitForExit());

        // comm;user frames (outermost first);-;kernel frames (outermost first) count
        var ours = sample.Lines.Where(l => l.StartsWith(_name + ";", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ours);
        Assert.All(sample.Lines, l => Assert.Matches(@"^[^;]+(;[^;]+)* [1-9]\d*$", l));
        Assert.Contains(ours, l => l.Contains(";getppid;-;", StringComparison.Ordinal) &&
                                   l.IndexOf("entry_SYSCALL_64", StringComparison.Ordinal) < l.IndexOf(";do_syscall_64", StringComparison.Ordinal));
    }

    [Fact]
    public void User_only_and_kernel_only_stacks()
    {
        KernelEnvironment.Require();
        using var user = SampleProcess.Start(SampleDll, "-f", "-U", "-p", Environment.ProcessId.ToString(), "-F", "199", "2");
        using var kernel = SampleProcess.Start(SampleDll, "-f", "-K", "-p", Environment.ProcessId.ToString(), "-F", "199", "2");
        Assert.Equal(0, user.WaitForExit());
        Assert.Equal(0, kernel.WaitForExit());

        // Each line's frames (the comm and the count taken off).
        List<string[]> Stacks(SampleProcess p) => p.Lines.Where(l => l.StartsWith(_name + ";", StringComparison.Ordinal))
            .Select(l => l[..l.LastIndexOf(' ')].Split(';')[1..]).ToList();
        var userStacks = Stacks(user);
        var kernelStacks = Stacks(kernel);
        Assert.Contains(userStacks, f => f[^1] == "getppid");             // innermost user frame last
        Assert.DoesNotContain(userStacks, f => f.Contains("do_syscall_64"));
        Assert.Contains(kernelStacks, f => f.Contains("do_syscall_64") && f[^1] != "getppid");
        Assert.DoesNotContain(kernelStacks, f => f.Contains("getppid"));  // (the kernel's is __x64_sys_getppid)
    }

    [Fact]
    public void Elf_symbols_resolve_libc_functions_at_their_file_offsets()
    {
        // The mapping of libc's getppid in this process, turned into a file offset as /proc/self/maps gives it.
        nint libc = NativeLibrary.Load("libc.so.6");
        ulong address = (ulong)NativeLibrary.GetExport(libc, "getppid");
        var mapping = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 6 && f[5].EndsWith("/libc.so.6", StringComparison.Ordinal)).Select(f =>
            {
                var range = f[0].Split('-');
                return (Start: Convert.ToUInt64(range[0], 16), End: Convert.ToUInt64(range[1], 16), Offset: Convert.ToUInt64(f[2], 16), Path: f[5]);
            }).Single(m => address >= m.Start && address < m.End);
        var elf = ElfSymbols.TryLoad(mapping.Path);
        Assert.NotNull(elf);
        Assert.Equal("getppid", elf.Resolve(address - mapping.Start + mapping.Offset));
        Assert.Equal("getppid", new ProcessSymbols(Environment.ProcessId, []).Resolve(address + 1));
        Assert.Null(ElfSymbols.TryLoad("/proc/self/status")); // not ELF
    }

    [LibraryImport("libc")]
    private static partial int getppid();
}
