using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// Reads a <c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c> map, the per-CPU channel of <c>bpf_perf_event_output</c>: one
/// perf buffer per CPU, whose memory this reader parses directly. Get one from
/// <see cref="BpfObject.GetPerfEventArray"/>. Prefer a ring buffer (<see cref="BpfRingBuffer"/>) for new
/// programs: one shared buffer, ordered across CPUs, no per-CPU memory; perf event arrays remain for kernels
/// before 5.8 and for programs that already use them.
/// </summary>
/// <remarks>
/// <para>Setting up (as libbpf's <c>perf_buffer__new</c> does): for every online CPU a
/// <c>PERF_COUNT_SW_BPF_OUTPUT</c> software event with <c>PERF_SAMPLE_RAW</c> samples and a wake-up per sample is
/// opened (perf_event_open), its ring is mapped read-write, the event is enabled, and its fd is stored in the
/// map at the CPU's index, which is where <c>bpf_perf_event_output(ctx, &amp;map, BPF_F_CURRENT_CPU, ...)</c>
/// writes.</para>
/// <para>Reading follows include/uapi/linux/perf_event.h: load <c>data_head</c> with acquire semantics, walk the
/// records from <c>data_tail</c> (each starts with <c>struct perf_event_header</c>: type, misc, size),
/// and store <c>data_tail</c> with release semantics once a record is handled. <c>PERF_RECORD_SAMPLE</c> carries
/// the program's bytes (<c>u32 size; char data[size]</c>); <c>PERF_RECORD_LOST</c> reports samples the kernel
/// dropped because the buffer was full (<see cref="LostSamples"/>). The data area is mapped once, so a record
/// that wraps around its end is reassembled in a private buffer.</para>
/// <para>One reader at a time, like a ring buffer. Disposing removes the events from the map (so programs stop
/// writing to them), unmaps and closes them; the owning <see cref="BpfObject"/> disposes the reader too.</para>
/// </remarks>
public sealed unsafe partial class BpfPerfEventArray : IDisposable
{
    private const uint RecordLost = 2, RecordSample = 9;

    private readonly BpfObject? _owner;
    private readonly PerfBuffers _buffers;
    private readonly object _gate = new();
    // Pinned (pinned object heap): the handler receives a span built from a pointer into it.
    private byte[] _reassembly = GC.AllocateUninitializedArray<byte>(256, pinned: true);
    private ReadinessRegistration? _registration;
    private long _lost;
    private int _reader;
    private volatile bool _disposed;

    private BpfPerfEventArray(BpfMap map, BpfObject? owner, PerfBuffers buffers, int pagesPerCpu)
    {
        Map = map;
        _owner = owner;
        _buffers = buffers;
        PagesPerCpu = pagesPerCpu;
        Cpus = [.. buffers.Items.Select(b => b.Cpu)];
    }

    /// <summary>The perf event array map.</summary>
    public BpfMap Map { get; }

    /// <summary>The map's name.</summary>
    public string Name => Map.Name;

    /// <summary>The CPUs with a buffer (the online CPUs when the reader was created).</summary>
    public IReadOnlyList<int> Cpus { get; }

    /// <summary>Data pages per CPU buffer.</summary>
    public int PagesPerCpu { get; }

    /// <summary>Samples the kernel dropped because a CPU's buffer was full (from <c>PERF_RECORD_LOST</c> records consumed so far).</summary>
    public long LostSamples => Interlocked.Read(ref _lost);

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// Handles every sample available now in every CPU's buffer (CPU by CPU, each in order) and returns how many
    /// were handled; does not wait. Lost-sample records add to <see cref="LostSamples"/> and go to
    /// <paramref name="onLost"/>. A handler that throws consumes its sample and the exception propagates.
    /// </summary>
    /// <param name="handler">Called once per sample.</param>
    /// <param name="onLost">Called with (cpu, count) for each lost-samples record; optional.</param>
    /// <returns>The number of samples handled.</returns>
    /// <exception cref="InvalidOperationException">Another reader is consuming this array.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public int Consume(PerfEventHandler handler, Action<int, long>? onLost = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.CompareExchange(ref _reader, 1, 0) != 0)
            throw new InvalidOperationException($"Perf event array '{Name}' is already being read: read it from one place at a time.");
        var added = false;
        try
        {
            _buffers.DangerousAddRef(ref added);
            var handled = 0;
            foreach (var buffer in _buffers.Items) handled += ConsumeCpu(buffer, handler, onLost);
            return handled;
        }
        finally
        {
            if (added) _buffers.DangerousRelease();
            Volatile.Write(ref _reader, 0);
        }
    }

    /// <summary>
    /// Completes when any CPU's buffer holds data (at once if one already does), waiting on the runtime's epoll
    /// thread. Each event is opened with a wake-up per sample, so the kernel signals every write.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed before or during the wait.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (HasData()) return ValueTask.CompletedTask;
        ReadinessRegistration registration;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            registration = _registration ??= ReadinessWaiter.Shared.Register(_buffers, _buffers.EpollFd, $"perf event array '{Name}'");
        }
        return registration.WaitAsync(cancellationToken);
    }

    /// <summary>Blocks until any CPU's buffer holds data or the timeout expires (<c>epoll_wait</c> on the buffers).</summary>
    /// <param name="timeoutMilliseconds">-1 waits forever, 0 only checks.</param>
    /// <returns>True when there is data to read.</returns>
    public bool Wait(int timeoutMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMilliseconds, -1);
        if (HasData()) return true;
        using var lease = new HandleLease(_buffers);
        byte* events = stackalloc byte[16];
        while (true)
        {
            var ready = LibC.epoll_wait(_buffers.EpollFd, events, 1, timeoutMilliseconds);
            if (ready >= 0) return ready > 0;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
                throw new BpfException($"Waiting for perf event array '{Name}' failed: epoll_wait returned {Errno.Describe(errno)}.", errno);
        }
    }

    /// <summary>Removes the events from the map, then unmaps and closes them once no consume call is running. Idempotent.</summary>
    public void Dispose()
    {
        ReadinessRegistration? registration;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            registration = _registration;
        }
        registration?.Dispose();
        RemoveFromMap();
        _buffers.Dispose();
        _owner?.Forget(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfPerfEventArray '{Name}' ({Cpus.Count} CPUs x {PagesPerCpu} pages{(_disposed ? ", disposed" : "")})";

    // ---- creation ------------------------------------------------------------------------------------------

    /// <summary>Opens, maps and enables one BPF output event per online CPU and stores them in the map.</summary>
    internal static BpfPerfEventArray Create(BpfMap map, BpfObject? owner, int pagesPerCpu)
    {
        if ((int)map.Type != 4 /* BPF_MAP_TYPE_PERF_EVENT_ARRAY */)
            throw new BpfException($"Map '{map.Name}' is a {BpfMap.DescribeType(map.Type)} map, not a perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY).");
        if (pagesPerCpu <= 0 || (pagesPerCpu & (pagesPerCpu - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pagesPerCpu), pagesPerCpu, "The perf buffer of each CPU must be a power of two pages (perf_mmap refuses other sizes).");

        var epoll = LibC.epoll_create1(LibC.CloExec);
        if (epoll < 0) throw Failure(map, "epoll_create1", Marshal.GetLastPInvokeError());
        var buffers = new PerfBuffers(epoll);
        try
        {
            var page = (nuint)Environment.SystemPageSize;
            var length = page * (nuint)(pagesPerCpu + 1);
            byte* epollEvent = stackalloc byte[16];
            var cpus = BpfMap.PossibleCpuCount;
            for (var cpu = 0; cpu < cpus && cpu < map.MaxEntries; cpu++)
            {
                var fd = OpenEvent(cpu, out var errno);
                if (fd < 0)
                {
                    if (errno == Errno.ENODEV) continue; // offline CPU: nothing runs there (libbpf skips them too)
                    throw errno is Errno.EACCES or Errno.EPERM
                        ? new BpfPermissionException($"Opening the perf event of CPU {cpu} for perf event array '{map.Name}' was denied ({Errno.Name(errno)}): it needs root or CAP_PERFMON (and perf_event_paranoid allowing CPU-wide events).", errno)
                        : Failure(map, $"perf_event_open (CPU {cpu})", errno);
                }
                var mapping = LibC.mmap(null, length, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared, fd, 0);
                if (mapping == (void*)-1)
                {
                    errno = Marshal.GetLastPInvokeError();
                    LibC.close(fd);
                    throw Failure(map, $"mmap of CPU {cpu}'s perf buffer ({pagesPerCpu} pages; raise `ulimit -l` or perf_event_mlock_kb if this is EPERM)", errno);
                }
                buffers.Add(cpu, fd, (byte*)mapping, length);
                if (LibC.ioctl(fd, LibC.PerfEventIocEnable, 0) != 0)
                    throw Failure(map, $"enabling CPU {cpu}'s perf event", Marshal.GetLastPInvokeError());
                LibC.WriteEpollEvent(epollEvent, LibC.EpollIn, (ulong)cpu);
                if (LibC.epoll_ctl(epoll, LibC.EpollCtlAdd, fd, epollEvent) != 0)
                    throw Failure(map, "epoll_ctl", Marshal.GetLastPInvokeError());
                var key = (uint)cpu;
                int result;
                using (map.Lease("store perf events in"))
                    result = LibBpf.bpf_map_update_elem(map.RawFd, &key, &fd, 0);
                if (result != 0) throw Failure(map, $"storing CPU {cpu}'s event in the map", -result);
            }
            return new BpfPerfEventArray(map, owner, buffers, pagesPerCpu);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    private static int OpenEvent(int cpu, out int errno)
    {
        var attr = new PerfEventAttr
        {
            Type = PerfEventAttr.TypeSoftware,
            Size = PerfEventAttr.SizeVersion0,
            Config = PerfEventAttr.ConfigBpfOutput,
            SamplePeriod = 1,
            SampleType = PerfEventAttr.SampleRaw,
            WakeupEvents = 1, // wake epoll on every sample
        };
        // perf_event_open(attr, pid = -1 (any task), cpu, group_fd = -1, PERF_FLAG_FD_CLOEXEC)
        var fd = LibC.syscall(LibC.PerfEventOpenSyscall, (nint)(&attr), -1, cpu, -1, LibC.PerfFlagFdCloExec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)fd;
    }

    private static BpfException Failure(BpfMap map, string step, int errno) =>
        new($"Setting up perf event array '{map.Name}' failed at {step} ({Errno.Describe(errno)}).", errno);

    // ---- reading -------------------------------------------------------------------------------------------

    private bool HasData()
    {
        using var lease = new HandleLease(_buffers);
        foreach (var buffer in _buffers.Items)
            if (Volatile.Read(ref *buffer.Head) != *buffer.Tail) return true;
        return false;
    }

    private int ConsumeCpu(PerfBuffers.Buffer buffer, PerfEventHandler handler, Action<int, long>? onLost)
    {
        var head = Volatile.Read(ref *buffer.Head);
        var tail = *buffer.Tail; // only the reader writes it
        var mask = buffer.DataSize - 1;
        var handled = 0;
        while (tail < head)
        {
            var offset = tail & mask;
            var record = buffer.Data + offset;
            // struct perf_event_header { u32 type; u16 misc; u16 size; }: 8 bytes, never split (records are 8-byte multiples).
            var type = *(uint*)record;
            var size = *(ushort*)(record + 6);
            if (offset + size > buffer.DataSize) record = Reassemble(buffer, offset, size);
            var next = tail + size;
            try
            {
                if (type == RecordSample)
                {
                    handler(buffer.Cpu, new ReadOnlySpan<byte>(record + 12, (int)*(uint*)(record + 8)));
                    handled++;
                }
                else if (type == RecordLost)
                {
                    // struct { header; u64 id; u64 lost; }
                    var lost = (long)*(ulong*)(record + 16);
                    Interlocked.Add(ref _lost, lost);
                    onLost?.Invoke(buffer.Cpu, lost);
                }
            }
            finally
            {
                // Released after the handler (it reads the buffer in place), and also when it throws.
                tail = next;
                Volatile.Write(ref *buffer.Tail, tail);
            }
        }
        return handled;
    }

    /// <summary>Copies a record that wraps around the end of the data area into one piece.</summary>
    private byte* Reassemble(PerfBuffers.Buffer buffer, ulong offset, int size)
    {
        if (_reassembly.Length < size) _reassembly = GC.AllocateUninitializedArray<byte>(Math.Max(size, _reassembly.Length * 2), pinned: true);
        var first = (int)(buffer.DataSize - offset);
        new ReadOnlySpan<byte>(buffer.Data + offset, first).CopyTo(_reassembly);
        new ReadOnlySpan<byte>(buffer.Data, size - first).CopyTo(_reassembly.AsSpan(first));
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_reassembly));
    }

    private void RemoveFromMap()
    {
        if (_owner is { IsLoaded: false }) return; // the object (and the map) is gone already
        try
        {
            using var lease = Map.Lease("remove perf events from");
            foreach (var buffer in _buffers.Items)
            {
                var key = (uint)buffer.Cpu;
                LibBpf.bpf_map_delete_elem(Map.RawFd, &key);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently: the map went with it.
        }
        catch (InvalidOperationException)
        {
            // Not loaded (cannot happen for a created reader); nothing to remove.
        }
    }
}
