using System.Runtime.CompilerServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// One program of a <see cref="BpfObject"/> (a <c>struct bpf_program</c> owned by the object). It lives as long
/// as its object; attaching it creates a <see cref="BpfLink"/>.
/// </summary>
public sealed partial class BpfProgramHandle
{
    private readonly BpfObject _owner;

    internal BpfProgramHandle(BpfObject owner, nint native)
    {
        _owner = owner;
        Native = native;
        Name = LibBpf.ProgramName(native);
        SectionName = LibBpf.ProgramSectionName(native);
    }

    /// <summary>The <c>struct bpf_program *</c>; rebound if the object is re-opened before a successful load.</summary>
    internal nint Native { get; set; }

    /// <summary>The program's name (its C function name, <c>bpf_program__name</c>).</summary>
    public string Name { get; }

    /// <summary>Its ELF section (e.g. <c>tracepoint/syscalls/sys_enter_openat</c>), which tells libbpf the program type and auto-attach target.</summary>
    public string SectionName { get; }

    /// <summary>The object this program belongs to.</summary>
    public BpfObject Object => _owner;

    /// <summary>The program's kernel fd (<c>bpf_program__fd</c>), owned by the object.</summary>
    /// <exception cref="InvalidOperationException">The object is not loaded yet, or this program was not loaded.</exception>
    public int Fd
    {
        get
        {
            using var lease = _owner.LeaseLoaded($"get the fd of program '{Name}'");
            var fd = LibBpf.bpf_program__fd(Native);
            return fd >= 0 ? fd : throw new InvalidOperationException($"Program '{Name}' was not loaded (libbpf autoload is off for it), so it has no fd.");
        }
    }

    /// <summary>True when the program was loaded into the kernel (libbpf skips programs whose autoload is off).</summary>
    internal bool IsLoadedProgram
    {
        get
        {
            using var lease = _owner.LeaseLoaded($"inspect program '{Name}'");
            return LibBpf.bpf_program__fd(Native) >= 0;
        }
    }

    /// <summary>
    /// Attaches the program to the target its section names (<c>bpf_program__attach</c>), e.g. the tracepoint of
    /// <c>SEC("tracepoint/syscalls/sys_enter_openat")</c>. For tracepoints, tracefs is mounted if needed (as root)
    /// and the event is checked first so a wrong name gets a precise error. The owning object also disposes the link.
    /// </summary>
    /// <exception cref="BpfAttachException">The target does not exist, tracefs is missing, or the section has no auto-attach target.</exception>
    /// <exception cref="BpfPermissionException">The process lacks the privileges to attach.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfLink Attach()
    {
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        if (NeedsAttachTarget) throw NoSectionTarget();
        if (Tracefs.TryParseSection(SectionName, out var category, out var tracepoint))
            Tracefs.RequireTracepoint(Name, category, tracepoint);
        return _owner.Attach(this, null, null);
    }

    /// <summary>
    /// Attaches the program to the tracepoint <paramref name="category"/>/<paramref name="name"/>
    /// (<c>bpf_program__attach_tracepoint</c>), whatever its section says. tracefs is mounted if needed (as root).
    /// </summary>
    /// <param name="category">The tracepoint category (a directory of <c>/sys/kernel/tracing/events</c>), e.g. <c>syscalls</c>.</param>
    /// <param name="name">The tracepoint name, e.g. <c>sys_enter_openat</c>.</param>
    /// <exception cref="BpfAttachException">The tracepoint does not exist or tracefs is missing.</exception>
    /// <exception cref="BpfPermissionException">The process lacks the privileges to attach.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfLink AttachTracepoint(string category, string name)
    {
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        Tracefs.RequireTracepoint(Name, category, name);
        return _owner.Attach(this, category, name);
    }

    /// <summary>
    /// Attaches the program to a cgroup (<c>bpf_program__attach_cgroup</c>, a BPF link): its section says which
    /// hook, e.g. <c>SEC("cgroup_skb/egress")</c> runs for every packet sent by the cgroup's processes
    /// (including its descendants).
    /// </summary>
    /// <param name="cgroupPath">The cgroup's directory in the cgroup v2 hierarchy, e.g. <c>/sys/fs/cgroup</c> (the root) or <c>/sys/fs/cgroup/my.slice</c>.</param>
    /// <exception cref="BpfAttachTargetNotFoundException">The cgroup directory does not exist.</exception>
    /// <exception cref="BpfAttachException">The program is not a cgroup program or the kernel refused.</exception>
    /// <exception cref="BpfPermissionException">The process lacks the privileges to attach.</exception>
    public BpfLink AttachCgroup(string cgroupPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        var target = $"cgroup {cgroupPath}";
        var fd = LibC.open(cgroupPath, LibC.OpenDirectoryReadOnly);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw errno is Errno.ENOENT or 20 /* ENOTDIR */
                ? new BpfAttachTargetNotFoundException(
                    $"Cgroup '{cgroupPath}' does not exist ({Errno.Name(errno)}): program '{Name}' cannot be attached to it. " +
                    "Pass a directory of the cgroup v2 hierarchy (e.g. /sys/fs/cgroup, or a child created with mkdir).", Name, target, errno)
                : new BpfAttachException($"Cannot open cgroup '{cgroupPath}' to attach program '{Name}' ({Errno.Describe(errno)}).", Name, target, errno);
        }
        try
        {
            // The link holds its own reference to the cgroup: the directory fd is only needed for the call.
            return _owner.Attach(this, target, static (prog, cgroupFd) => LibBpf.bpf_program__attach_cgroup(prog, cgroupFd), fd);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Attaches an XDP program to the network interface <paramref name="interfaceName"/> through a BPF link (<c>bpf_program__attach_xdp</c>).</summary>
    /// <param name="interfaceName">The interface, e.g. <c>lo</c> or <c>eth0</c>.</param>
    /// <exception cref="BpfAttachTargetNotFoundException">There is no such interface.</exception>
    /// <exception cref="BpfAttachException">The program is not an XDP program, another XDP program holds the interface, or the kernel refused.</exception>
    public BpfLink AttachXdp(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        var index = LibC.if_nametoindex(interfaceName);
        if (index == 0)
            throw new BpfAttachTargetNotFoundException(
                $"Network interface '{interfaceName}' does not exist: program '{Name}' cannot be attached to it (list them with `ip link`).",
                Name, $"xdp {interfaceName}", Errno.ENODEV);
        return _owner.Attach(this, $"xdp {interfaceName}", static (prog, ifindex) => LibBpf.bpf_program__attach_xdp(prog, ifindex), (int)index);
    }

    /// <summary>The kernel program type (<c>enum bpf_prog_type</c>, from the section name; e.g. 6 for XDP, 31 for <c>syscall</c>).</summary>
    public int ProgramType
    {
        get
        {
            using var lease = _owner.LeaseOpen($"inspect program '{Name}'");
            return LibBpf.bpf_program__type(Native);
        }
    }

    /// <summary>
    /// Runs the program once or <paramref name="repeat"/> times in the kernel on a test packet
    /// (<c>BPF_PROG_TEST_RUN</c>, <c>bpf_prog_test_run_opts</c>), without attaching it. For networking programs
    /// (XDP, tc, socket filters, flow dissectors): <paramref name="data"/> is the packet and
    /// <paramref name="dataOut"/> receives it as the program left it.
    /// </summary>
    /// <param name="data">The input packet (for XDP at least an Ethernet header, 14 bytes).</param>
    /// <param name="dataOut">Receives the output packet; may be empty.</param>
    /// <param name="repeat">How many times to run (the kernel reports the average duration).</param>
    /// <returns>The return value, the average duration and the output length.</returns>
    /// <exception cref="BpfNotSupportedException">The kernel cannot test-run this program type.</exception>
    /// <exception cref="BpfException">The kernel rejected the input (EINVAL: e.g. a packet too short, or arguments this program type does not take).</exception>
    public unsafe BpfTestRunResult TestRun(ReadOnlySpan<byte> data, Span<byte> dataOut = default, int repeat = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeat);
        fixed (byte* dataIn = data)
        fixed (byte* output = dataOut)
        {
            var opts = new BpfTestRunOpts
            {
                Size = (nuint)sizeof(BpfTestRunOpts),
                DataIn = data.IsEmpty ? null : dataIn,
                DataSizeIn = (uint)data.Length,
                DataOut = dataOut.IsEmpty ? null : output,
                DataSizeOut = (uint)dataOut.Length,
                Repeat = repeat,
            };
            Run(ref opts);
            return new BpfTestRunResult((int)opts.ReturnValue, opts.Duration, (int)opts.DataSizeOut);
        }
    }

    /// <summary>
    /// Runs the program once in the kernel with <paramref name="context"/> as its context
    /// (<c>BPF_PROG_TEST_RUN</c> with <c>ctx_in</c>). For <c>SEC("syscall")</c> programs the context is the
    /// argument struct the program receives, and the kernel copies it back after the run (the program may write
    /// results into it); for other types that accept a context (XDP's <c>xdp_md</c>, tc's <c>__sk_buff</c>,
    /// raw tracepoints' arguments) it is passed in and read back as <c>ctx_out</c> where the type supports it.
    /// </summary>
    /// <typeparam name="TContext">The context struct, laid out as the program expects.</typeparam>
    /// <param name="context">In: the context; out: as the kernel returned it.</param>
    /// <returns>The return value (duration is 0 for program types that do not measure it).</returns>
    /// <exception cref="BpfNotSupportedException">The kernel cannot test-run this program type.</exception>
    /// <exception cref="BpfException">The kernel rejected the context (EINVAL: e.g. smaller than what the program reads).</exception>
    public unsafe BpfTestRunResult TestRun<TContext>(ref TContext context)
        where TContext : unmanaged
    {
        fixed (TContext* ctx = &context)
        {
            var opts = new BpfTestRunOpts
            {
                Size = (nuint)sizeof(BpfTestRunOpts),
                ContextIn = ctx,
                ContextSizeIn = (uint)sizeof(TContext),
            };
            // The syscall type writes the context back through ctx_in itself and rejects ctx_out
            // (bpf_prog_test_run_syscall in net/bpf/test_run.c); the others return it through ctx_out.
            if (ProgramType != SyscallProgramType)
            {
                opts.ContextOut = ctx;
                opts.ContextSizeOut = (uint)sizeof(TContext);
            }
            Run(ref opts);
            return new BpfTestRunResult((int)opts.ReturnValue, opts.Duration, (int)opts.DataSizeOut);
        }
    }

    /// <summary><c>BPF_PROG_TYPE_SYSCALL</c>.</summary>
    internal const int SyscallProgramType = 31;

    private unsafe void Run(ref BpfTestRunOpts opts)
    {
        int result;
        using (var lease = _owner.LeaseLoaded($"test-run program '{Name}'"))
        {
            var fd = LibBpf.bpf_program__fd(Native);
            if (fd < 0) throw new InvalidOperationException($"Program '{Name}' was not loaded (libbpf autoload is off for it), so it cannot be run.");
            result = LibBpf.bpf_prog_test_run_opts(fd, (BpfTestRunOpts*)Unsafe.AsPointer(ref opts));
        }
        if (result == 0) return;
        var errno = -result;
        throw errno switch
        {
            Errno.ENOTSUPP or Errno.EOPNOTSUPP => new BpfNotSupportedException(
                $"The kernel cannot test-run program '{Name}' (section '{SectionName}', program type {ProgramType}) ({Errno.Describe(errno)}): " +
                "BPF_PROG_TEST_RUN exists only for some types (XDP, tc/sched_cls, socket filters, flow dissector, raw tracepoints, syscall, struct_ops/tracing); attach it instead.", errno),
            Errno.EPERM or Errno.EACCES => new BpfPermissionException(
                $"Test-running program '{Name}' was denied ({Errno.Name(errno)}): it needs root or CAP_BPF (networking types also CAP_NET_ADMIN).", errno),
            Errno.EINVAL => new BpfException(
                $"The kernel rejected the test run of program '{Name}' (section '{SectionName}') (EINVAL): the input does not suit the program type " +
                "(packet programs need packet data of at least an Ethernet header; syscall programs take only a context, at least as large as what the program reads, and no repeat).", errno),
            _ => new BpfException($"Test-running program '{Name}' failed ({Errno.Describe(errno)}).", errno),
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({SectionName})";
}
