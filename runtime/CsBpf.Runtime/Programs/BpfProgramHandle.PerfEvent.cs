using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Perf event programs: perf_event_open per CPU + bpf_program__attach_perf_event_opts (PERF_EVENT_IOC_SET_BPF,
// or a BPF perf link on Linux 5.15+), like cilium/ebpf's link.AttachRawLink for perf events and bcc's profile.
public sealed partial class BpfProgramHandle
{
    /// <summary>BPF_PROG_TYPE_PERF_EVENT.</summary>
    internal const int PerfEventProgramType = 7;

    /// <summary><c>perf_event_attr</c> flag bit 10: <c>freq</c> (sample_freq instead of sample_period).</summary>
    private const ulong PerfAttrFrequency = 1UL << 10;

    /// <summary>
    /// Opens the perf event <paramref name="config"/> on every online CPU (or for one task) and attaches this
    /// <c>[PerfEvent]</c> program to each: e.g. <c>AttachPerfEvent(PerfEventConfig.CpuClock(99))</c> runs it 99
    /// times a second on every CPU, a sampling profiler's clock. All events or none: if one fails, those already
    /// attached are detached.
    /// </summary>
    /// <param name="config">The event and its sampling rate.</param>
    /// <param name="pid">-1 (default): every task, one event per CPU; otherwise only this process or thread.</param>
    /// <param name="cpu">One CPU only; null (default): every online CPU when <paramref name="pid"/> is -1, any CPU the task runs on otherwise.</param>
    /// <param name="cookie">A value the program reads with <c>Bpf.GetAttachCookie</c> (Linux 5.15).</param>
    /// <returns>The links (one per event), disposed together.</returns>
    /// <exception cref="BpfPermissionException">perf_event_open was denied (needs root or CAP_PERFMON, and a permissive perf_event_paranoid).</exception>
    /// <exception cref="BpfAttachException">The program is not a perf event program, the event does not exist on this machine, or the kernel refused.</exception>
    public BpfPerfEventLinks AttachPerfEvent(PerfEventConfig config, int pid = -1, int? cpu = null, ulong cookie = 0)
    {
        if (config.Period == 0 && config.Frequency == 0)
            throw new ArgumentException("The perf event config has no sampling rate: create it with PerfEventConfig.CpuClock or a period or frequency.", nameof(config));
        ArgumentOutOfRangeException.ThrowIfLessThan(pid, -1);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        RequireProgramType(PerfEventProgramType, "a perf event program", "[PerfEvent]");

        int[] cpus = cpu is { } one ? [one] : pid == -1 ? [.. Enumerable.Range(0, BpfMap.PossibleCpuCount)] : [-1];
        var links = new List<BpfLink>(cpus.Length);
        var attachedCpus = new List<int>(cpus.Length);
        try
        {
            foreach (var c in cpus)
            {
                var fd = OpenPerfEvent(config, pid, c, out var errno);
                if (fd < 0)
                {
                    // An offline CPU (possible but not online): nothing runs there, as libbpf and perf skip it.
                    if (errno == Errno.ENODEV && cpu is null && pid == -1) continue;
                    throw PerfEventOpenFailure(config, pid, c, errno);
                }
                links.Add(AttachPerfEvent(fd, cookie, $"perf_event type {config.Type} config {config.Config} cpu {c}{(pid >= 0 ? $" pid {pid}" : "")}"));
                attachedCpus.Add(c);
            }
        }
        catch
        {
            foreach (var link in links) link.Dispose();
            throw;
        }
        if (links.Count == 0)
            throw new BpfAttachException($"No CPU is online to open perf event type {config.Type} config {config.Config} for program '{Name}'.", Name, SectionName, Errno.ENODEV);
        return new BpfPerfEventLinks(links, attachedCpus);
    }

    /// <summary>
    /// Attaches this <c>[PerfEvent]</c> program (or a kprobe/tracepoint program to a perf event of its kind) to
    /// the perf event <paramref name="perfEventFd"/> that the caller opened with <c>perf_event_open</c>. The link
    /// takes ownership of the fd: disposing it disables and closes the event.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused (e.g. the event type does not suit the program).</exception>
    public BpfLink AttachPerfEvent(int perfEventFd, ulong cookie = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perfEventFd);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        return AttachPerfEvent(perfEventFd, cookie, $"perf_event fd {perfEventFd}");
    }

    private unsafe BpfLink AttachPerfEvent(int fd, ulong cookie, string target)
    {
        try
        {
            return _owner.Attach(this, target, (prog, pfd) =>
            {
                var opts = new BpfPerfEventOpts { Size = (nuint)sizeof(BpfPerfEventOpts), Cookie = cookie };
                return LibBpf.bpf_program__attach_perf_event_opts(prog, pfd, &opts);
            }, fd);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            // libbpf owns the fd only once the link exists; on failure it is still ours. (An object disposed
            // concurrently destroys a link it just made, closing the fd itself: then it is not closed here.)
            LibC.close(fd);
            throw;
        }
    }

    private static unsafe int OpenPerfEvent(PerfEventConfig config, int pid, int cpu, out int errno)
    {
        var attr = new PerfEventAttr
        {
            Type = config.Type,
            Size = PerfEventAttr.SizeVersion0,
            Config = config.Config,
            SamplePeriod = config.Frequency != 0 ? config.Frequency : config.Period,
            Flags = config.Frequency != 0 ? PerfAttrFrequency : 0,
        };
        // perf_event_open(attr, pid, cpu, group_fd = -1, PERF_FLAG_FD_CLOEXEC); the event starts enabled.
        var fd = LibC.syscall(LibC.PerfEventOpenSyscall, (nint)(&attr), pid, cpu, -1, LibC.PerfFlagFdCloExec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)fd;
    }

    private BpfException PerfEventOpenFailure(PerfEventConfig config, int pid, int cpu, int errno)
    {
        var what = $"Opening perf event type {config.Type} config {config.Config} (CPU {cpu}{(pid >= 0 ? $", pid {pid}" : "")}) for program '{Name}'";
        return errno switch
        {
            Errno.EACCES or Errno.EPERM => new BpfPermissionException(
                $"{what} was denied ({Errno.Name(errno)}): it needs root or CAP_PERFMON, and /proc/sys/kernel/perf_event_paranoid low enough for CPU-wide events.", errno),
            Errno.ENOENT or Errno.EOPNOTSUPP => new BpfAttachTargetNotFoundException(
                $"{what} failed ({Errno.Describe(errno)}): this machine has no such event (hardware counters are often missing in virtual machines; the software CPU clock always exists).",
                Name, $"perf_event type {config.Type} config {config.Config}", errno),
            Errno.ESRCH => new BpfAttachTargetNotFoundException($"{what} failed: there is no process {pid}.", Name, $"pid {pid}", errno),
            _ => new BpfAttachException($"{what} failed ({Errno.Describe(errno)}).", Name, SectionName, errno),
        };
    }
}
