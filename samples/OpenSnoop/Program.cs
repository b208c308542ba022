using System.Globalization;
using System.Runtime.InteropServices;
using CsBpf.Runtime;
using Samples.OpenSnoop;

// opensnoop: trace openat() calls system-wide, like BCC's and libbpf-tools' opensnoop, with the kernel side
// logging through BpfLog and this side receiving ILogger entries (root or CAP_BPF+CAP_PERFMON).
const string Usage = """
    usage: OpenSnoop [-T] [-x] [-p PID] [-u UID] [-n NAME] [-e] [--log] [-d SECONDS]
      -T, --timestamp    include a timestamp on output
      -x, --failed       only show failed opens
      -p, --pid PID      trace this PID only
      -u, --uid UID      trace this UID only
      -n, --name NAME    only print process names containing this name
      -e, --extended     show extended fields (the open flags, in octal)
      --log              print the log entries as a plain ILogger would (level, call site, message)
      -d, --duration S   stop after S seconds (default: until Ctrl-C)
    """;

bool timestamp = false, failed = false, extended = false, raw = false;
uint pid = 0, uid = OpenTracer.AnyUid;
string? name = null;
double? duration = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "-T" or "--timestamp": timestamp = true; break;
            case "-x" or "--failed": failed = true; break;
            case "-p" or "--pid": pid = uint.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-u" or "--uid": uid = uint.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-n" or "--name": name = Value(); break;
            case "-e" or "--extended": extended = true; break;
            case "--log": raw = true; break;
            case "-d" or "--duration": duration = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"OpenSnoop: {e.Message}\n{Usage}");
        return 2;
    }
}

try
{
    return await Run();
}
catch (Exception e) when (e is BpfException or IOException or KeyNotFoundException or InvalidDataException)
{
    // Not root, a kernel without what the tool needs, …: the message says what and why.
    Console.Error.WriteLine($"OpenSnoop: {e.Message}");
    return 1;
}

async Task<int> Run()
{
    using var bpf = OpenTracer.Open();
    bpf.TargetPid = pid;
    bpf.TargetUid = uid;
    bpf.FailedOnly = failed;
    bpf.Load();
    var printer = new OpenSnoopPrinter(timestamp, extended, name, raw);
    await using (var logging = bpf.StartLogging(printer)) // reads the program's log ring and calls printer.Log
    {
        bpf.AttachAll(); // the links are disposed with the object
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        if (duration is double seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        if (!raw) Console.WriteLine(printer.Header);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C, SIGTERM or the duration.
        }
        logging.Flush(); // what is still in the ring
    }
    return 0;
}
