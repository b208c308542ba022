using Samples.OpenCount;

// Usage: OpenCount [seconds]   (root or CAP_BPF+CAP_PERFMON)
int seconds = args.Length > 0 && int.TryParse(args[0], out int s) && s > 0 ? s : 5;

using var bpf = OpenCounter.Load();   // generated: the .o is embedded in this assembly
bpf.AttachAll();
Console.WriteLine($"Counting openat() per process for {seconds} s...");
Thread.Sleep(TimeSpan.FromSeconds(seconds));

Console.WriteLine($"{"PID",8} {"COMM",-16} {"OPENS",10}");
foreach (var (pid, stats) in bpf.Opens.OrderByDescending(e => e.Value.Count).Take(10))
    Console.WriteLine($"{pid,8} {stats.Comm,-16} {stats.Count,10}");
