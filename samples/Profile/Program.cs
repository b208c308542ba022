using System.Globalization;
using System.Runtime.InteropServices;
using CsBpf.Runtime;
using Samples.Profile;

// profile: sample stack traces at a timed interval on every CPU, like BCC's profile (root or CAP_BPF+CAP_PERFMON).
const string Usage = """
    usage: Profile [-p PID] [-U | -K] [-F FREQUENCY] [-f] [-d] [-I] [-C CPU] [--top N] [duration]
      -p, --pid PID        profile this process only
      -U, --user-stacks-only    show stacks from user space only (no kernel space stacks)
      -K, --kernel-stacks-only  show stacks from kernel space only (no user space stacks)
      -F, --frequency HZ   sample frequency per CPU (default 49)
      -f, --folded         output folded format, one line per stack (for flame graphs)
      -d, --delimited      insert delimiter between kernel/user stacks
      -I, --include-idle   include CPU idle stacks
      -C, --cpu CPU        sample this CPU only
      --top N              show only the N most frequent stacks
      duration             duration of trace, in seconds (default: until Ctrl-C)
    """;
const int Efault = 14, Enomem = 12, Eexist = 17;

uint pid = 0;
bool userOnly = false, kernelOnly = false, folded = false, delimited = false, includeIdle = false;
int frequency = 49, top = int.MaxValue;
int? cpu = null;
double? duration = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "-p" or "--pid": pid = uint.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-U" or "--user-stacks-only": userOnly = true; break;
            case "-K" or "--kernel-stacks-only": kernelOnly = true; break;
            case "-F" or "--frequency": frequency = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-f" or "--folded": folded = true; break;
            case "-d" or "--delimited": delimited = true; break;
            case "-I" or "--include-idle": includeIdle = true; break;
            case "-C" or "--cpu": cpu = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--top": top = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            case ['-', _, ..]: throw new ArgumentException($"unknown option {args[i]}");
            default: duration = double.Parse(args[i], CultureInfo.InvariantCulture); break;
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"Profile: {e.Message}\n{Usage}");
        return 2;
    }
}
if (userOnly && kernelOnly || frequency <= 0 || top <= 0 || duration <= 0)
{
    Console.Error.WriteLine($"Profile: bad arguments (-U and -K exclude each other; frequency, --top and duration are positive)\n{Usage}");
    return 2;
}

try
{
    return await Run();
}
catch (Exception e) when (e is BpfException or IOException or KeyNotFoundException or InvalidDataException)
{
    // Not root, a kernel without what the tool needs, …: the message says what and why.
    Console.Error.WriteLine($"Profile: {e.Message}");
    return 1;
}

async Task<int> Run()
{
    using var bpf = CpuProfiler.Open();
    bpf.TargetProcess = pid;
    bpf.UserStacksOnly = userOnly;
    bpf.KernelStacksOnly = kernelOnly;
    bpf.IncludeIdle = includeIdle;
    bpf.Load();

    using var stop = new CancellationTokenSource();
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    using (bpf.AttachOnSample(PerfEventConfig.CpuClock(frequency), cpu: cpu)) // one perf event per CPU (or the one -C names)
    {
        if (!folded)
        {
            string threads = pid != 0 ? $"PID {pid}" : "all threads";
            string stacks = userOnly ? "user" : kernelOnly ? "kernel" : "user + kernel";
            Console.WriteLine(duration is double d
                ? $"Sampling at {frequency} Hertz of {threads} by {stacks} stack for {d.ToString(CultureInfo.InvariantCulture)} secs."
                : $"Sampling at {frequency} Hertz of {threads} by {stacks} stack... Hit Ctrl-C to end.");
        }
        try
        {
            await Task.Delay(duration is double seconds ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: print what was sampled.
        }
    } // detached: the counts no longer change while we read them

    // Stacks sorted by count, the hottest last (as BCC prints them, so they end up above the prompt).
    var counts = bpf.Counts.ToDictionary().OrderByDescending(e => e.Value).Take(top).Reverse().ToList();
    var kernel = KernelSymbols.Load();
    var files = new Dictionary<string, ElfSymbols?>();
    var processes = new Dictionary<uint, ProcessSymbols>();
    bool needDelimiter = delimited && !userOnly && !kernelOnly;
    int missing = 0;
    bool collision = false;

    foreach (var (key, count) in counts)
    {
        if (!processes.TryGetValue(key.Pid, out ProcessSymbols? user)) processes[key.Pid] = user = new ProcessSymbols((int)key.Pid, files);
        string[] kernelFrames = Frames(key.KernelStackId).Select(kernel.Resolve).ToArray();
        string[] userFrames = Frames(key.UserStackId).Select(user.Resolve).ToArray();
        string comm = key.Comm.ToString();

        if (folded)
        {
            // comm;outermost user frame;…;innermost;-;outermost kernel frame;… count
            var line = new List<string> { comm };
            if (!kernelOnly)
            {
                if (Missed(key.UserStackId)) line.Add("[Missed User Stack]");
                else line.AddRange(userFrames.Reverse());
            }
            if (!userOnly)
            {
                if (needDelimiter && key.KernelStackId >= 0 && key.UserStackId >= 0) line.Add("-");
                if (Missed(key.KernelStackId)) line.Add("[Missed Kernel Stack]");
                else line.AddRange(kernelFrames.Reverse());
            }
            Console.WriteLine($"{string.Join(';', line)} {count}");
        }
        else
        {
            if (!userOnly)
            {
                if (Missed(key.KernelStackId)) Console.WriteLine("    [Missed Kernel Stack]");
                else foreach (string frame in kernelFrames) Console.WriteLine($"    {frame}");
            }
            if (!kernelOnly)
            {
                if (needDelimiter && key.UserStackId >= 0 && key.KernelStackId >= 0) Console.WriteLine("    --");
                if (Missed(key.UserStackId)) Console.WriteLine("    [Missed User Stack]");
                else foreach (string frame in userFrames) Console.WriteLine($"    {frame}");
            }
            Console.WriteLine($"    {"-",-16} {comm} ({key.Pid})");
            Console.WriteLine($"        {count}\n");
        }
    }
    if (missing > 0)
        Console.Error.WriteLine($"WARNING: {missing} stack traces could not be displayed.{(collision ? " Consider increasing the Stacks map's size." : "")}");
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // we exit ourselves, after printing and detaching
        stop.Cancel();
    }

    // A negative id is an errno: -EFAULT means there was no such stack (a kernel thread has no user stack, a task
    // interrupted in user mode no kernel stack); -ENOMEM (map full) and -EEXIST (hash collision) lost one.
    bool Missed(int stackId)
    {
        if (stackId >= 0 || stackId == -Efault || stackId == CpuProfiler.NoStack) return false;
        missing++;
        collision |= stackId is -Enomem or -Eexist;
        return true;
    }

    // A stack's frames, innermost first (none for a negative id or a stack deleted meanwhile).
    ulong[] Frames(int stackId)
    {
        var frames = new ulong[bpf.Stacks.MaxDepth];
        if (stackId < 0 || !bpf.Stacks.TryGetFrames((uint)stackId, frames)) return [];
        int used = Array.IndexOf(frames, 0UL);
        return used < 0 ? frames : frames[..used];
    }
}
