using System.Globalization;
using System.Runtime.InteropServices;
using CsBpf;
using CsBpf.Runtime;
using Samples.RunQLat;

// runqlat: summarize run queue (scheduler) latency as a histogram, like BCC's and libbpf-tools' runqlat
// (root or CAP_BPF+CAP_PERFMON).
const string Usage = """
    usage: RunQLat [-T] [-m] [-P | -L] [-p PID] [interval [count]]
      -T, --timestamp    include a timestamp on output
      -m, --milliseconds millisecond histogram
      -P, --pids         print a histogram per process ID
      -L, --tids         print a histogram per thread ID
      -p, --pid PID      trace this process only
      interval           print every interval seconds (default: once, at Ctrl-C)
      count              stop after count intervals
    """;

bool timestamp = false, milliseconds = false, perProcess = false, perThread = false;
uint targetProcess = 0;
double interval = double.PositiveInfinity;
long count = long.MaxValue;
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    try
    {
        switch (args[i])
        {
            case "-T" or "--timestamp": timestamp = true; break;
            case "-m" or "--milliseconds": milliseconds = true; break;
            case "-P" or "--pids": perProcess = true; break;
            case "-L" or "--tids": perThread = true; break;
            case "-p" or "--pid":
                targetProcess = uint.Parse(i + 1 < args.Length ? args[++i] : throw new ArgumentException("-p needs a PID"), CultureInfo.InvariantCulture);
                break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            case ['-', _, ..]: throw new ArgumentException($"unknown option {args[i]}");
            default: positional.Add(args[i]); break;
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"RunQLat: {e.Message}\n{Usage}");
        return 2;
    }
}
if (positional.Count > 2 || perProcess && perThread ||
    positional.Count > 0 && !(double.TryParse(positional[0], CultureInfo.InvariantCulture, out interval) && interval > 0) ||
    positional.Count > 1 && !(long.TryParse(positional[1], CultureInfo.InvariantCulture, out count) && count > 0))
{
    Console.Error.WriteLine($"RunQLat: bad arguments\n{Usage}");
    return 2;
}
if (targetProcess != 0 && !Directory.Exists($"/proc/{targetProcess}/task"))
{
    Console.Error.WriteLine($"RunQLat: no process {targetProcess}");
    return 1;
}

try
{
    return await Run();
}
catch (Exception e) when (e is BpfException or IOException or KeyNotFoundException or InvalidDataException)
{
    // Not root, a kernel without what the tool needs, …: the message says what and why.
    Console.Error.WriteLine($"RunQLat: {e.Message}");
    return 1;
}

async Task<int> Run()
{
    using var bpf = RunQueueLatency.Open();
    bpf.TargetProcess = targetProcess;
    bpf.PerProcess = perProcess;
    bpf.PerThread = perThread;
    bpf.Milliseconds = milliseconds;
    bpf.Load();
    // The records name threads; the target's existing threads are told apart from others here, new ones as they run.
    if (targetProcess != 0)
        foreach (string task in Directory.EnumerateDirectories($"/proc/{targetProcess}/task"))
            if (uint.TryParse(Path.GetFileName(task), CultureInfo.InvariantCulture, out uint thread))
                bpf.ProcessOf.Update(thread, targetProcess);
    bpf.AttachAll(); // the links are disposed with the object

    using var stop = new CancellationTokenSource();
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    Console.WriteLine("Tracing run queue latency... Hit Ctrl-C to end.");

    for (long printed = 0; printed < count && !stop.IsCancellationRequested; printed++)
    {
        try
        {
            await Task.Delay(double.IsPositiveInfinity(interval) ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(interval), stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: print what was collected, then stop.
        }
        Console.WriteLine();
        if (timestamp) Console.WriteLine($"{DateTime.Now:HH:mm:ss}");
        PrintHistograms();
    }
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // we exit ourselves, after printing and detaching
        stop.Cancel();
    }

    void PrintHistograms()
    {
        // Drain the counts (lookup-and-delete in batches): each interval starts from zero, and nothing counted
        // while we read is lost.
        var histograms = new SortedDictionary<uint, ulong[]>();
        var keys = new HistogramKey[1024];
        var values = new ulong[1024];
        var cursor = default(BpfMapBatchCursor);
        while (!cursor.IsComplete)
        {
            int n = bpf.Histograms.LookupAndDeleteBatch(ref cursor, keys, values);
            for (int i = 0; i < n; i++)
            {
                if (!histograms.TryGetValue(keys[i].Id, out var slots)) histograms[keys[i].Id] = slots = new ulong[RunQueueLatency.MaxSlots];
                slots[keys[i].Slot] += values[i];
            }
        }
        string unit = milliseconds ? "msecs" : "usecs";
        foreach (var (id, slots) in histograms)
        {
            if (perProcess || perThread)
            {
                string name = bpf.Names.TryGetValue(id, out TaskComm comm) ? comm.ToString() : "";
                Console.WriteLine($"\n{(perThread ? "tid" : "pid")} = {id} {name}");
            }
            Console.Write(Log2Histogram.Format(slots, unit));
        }
    }
}
