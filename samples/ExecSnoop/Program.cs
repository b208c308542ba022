using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CsBpf.Runtime;
using Samples.ExecSnoop;
using Samples.Shared;

// execsnoop: trace exec() system calls, like BCC's and libbpf-tools' execsnoop (root or CAP_BPF+CAP_PERFMON).
const string Usage = """
    usage: ExecSnoop [-T] [-t] [-x] [-u UID] [-U] [-q] [-n NAME] [-l LINE] [--max-args N] [-d SECONDS]
      -T, --time         include a time column (HH:MM:SS)
      -t, --timestamp    include a timestamp column (seconds since start)
      -x, --fails        include failed exec()s
      -u, --uid UID      trace this UID only
      -U, --print-uid    print a UID column
      -q, --quote        add quotemarks (") around arguments
      -n, --name NAME    only print commands whose name contains NAME
      -l, --line LINE    only print commands whose arguments contain LINE
      --max-args N       maximum number of arguments parsed and displayed (1-60, default 20)
      -d, --duration S   stop after S seconds (default: until Ctrl-C)
    """;

bool time = false, timestamp = false, fails = false, printUid = false, quote = false;
uint uid = ExecTracer.AnyUid;
string? name = null, line = null;
int maxArgs = 20;
double? duration = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "-T" or "--time": time = true; break;
            case "-t" or "--timestamp": timestamp = true; break;
            case "-x" or "--fails": fails = true; break;
            case "-U" or "--print-uid": printUid = true; break;
            case "-q" or "--quote": quote = true; break;
            case "-u" or "--uid": uid = uint.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-n" or "--name": name = Value(); break;
            case "-l" or "--line": line = Value(); break;
            case "--max-args": maxArgs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-d" or "--duration": duration = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"ExecSnoop: {e.Message}\n{Usage}");
        return 2;
    }
}
if (maxArgs is < 1 or > ExecTracer.ArgumentLimit || uid == ExecTracer.AnyUid && args.Contains("-u"))
{
    Console.Error.WriteLine($"ExecSnoop: --max-args must be 1-{ExecTracer.ArgumentLimit}, and -u a valid uid\n{Usage}");
    return 2;
}

try
{
    return await Run();
}
catch (Exception e) when (e is BpfException or IOException or KeyNotFoundException or InvalidDataException)
{
    // Not root, a kernel without what the tool needs, …: the message says what and why.
    Console.Error.WriteLine($"ExecSnoop: {e.Message}");
    return 1;
}

async Task<int> Run()
{
    using var bpf = ExecTracer.Open();
    bpf.TargetUid = uid;
    bpf.MaxArgs = maxArgs;
    // No CO-RE yet: the parent pid is read through task_struct offsets the kernel's BTF gives the host.
    var btf = KernelBtf.Load();
    bpf.TaskRealParent = (ulong)btf.OffsetOf("task_struct", "real_parent");
    bpf.TaskTgid = (ulong)btf.OffsetOf("task_struct", "tgid");
    bpf.Load();
    bpf.AttachAll(); // the links are disposed with the object

    using var stop = new CancellationTokenSource();
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    if (duration is double seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));

    var header = new StringBuilder();
    if (time) header.Append(CultureInfo.InvariantCulture, $"{"TIME",-8} ");
    if (timestamp) header.Append(CultureInfo.InvariantCulture, $"{"TIME(s)",-8} ");
    if (printUid) header.Append(CultureInfo.InvariantCulture, $"{"UID",-6} ");
    header.Append(CultureInfo.InvariantCulture, $"{"PCOMM",-16} {"PID",-6} {"PPID",-6} {"RET",3} ARGS");
    Console.WriteLine(header);
    Console.Out.Flush();

    var started = Stopwatch.StartNew();
    var pending = new Dictionary<uint, List<string>>(); // arguments per pid, until its exec returns
    try
    {
        await foreach (ExecEvent e in bpf.Events.ReadAllAsync<ExecEvent>(stop.Token))
        {
            switch (e.Kind)
            {
                case ExecEventKind.Argument or ExecEventKind.Truncated:
                    if (!pending.TryGetValue(e.Pid, out var list)) pending[e.Pid] = list = [];
                    list.Add(e.Kind == ExecEventKind.Truncated ? "..." : Quote(e.Argument.ToString()));
                    break;
                case ExecEventKind.Return:
                    pending.Remove(e.Pid, out var arguments);
                    Print(e, arguments ?? []);
                    break;
            }
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        // Ctrl-C, SIGTERM or the duration: a clean exit.
    }
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // we exit ourselves, after detaching
        stop.Cancel();
    }

    string Quote(string argument) => quote ? "\"" + argument.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : argument;

    void Print(in ExecEvent e, List<string> arguments)
    {
        if (e.ReturnValue < 0 && !fails) return;
        string comm = e.Comm.ToString(), argsText = string.Join(' ', arguments);
        if (name is not null && !comm.Contains(name, StringComparison.Ordinal)) return;
        if (line is not null && !argsText.Contains(line, StringComparison.Ordinal)) return;

        var output = new StringBuilder();
        if (time) output.Append(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss} ");
        if (timestamp) output.Append(CultureInfo.InvariantCulture, $"{started.Elapsed.TotalSeconds,-8:F3} ");
        if (printUid) output.Append(CultureInfo.InvariantCulture, $"{e.Uid,-6} ");
        output.Append(CultureInfo.InvariantCulture, $"{comm,-16} {e.Pid,-6} {e.Ppid,-6} {e.ReturnValue,3} {argsText}");
        Console.WriteLine(output);
    }
}
