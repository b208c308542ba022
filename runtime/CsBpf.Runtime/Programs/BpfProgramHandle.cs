using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

/// <summary>
/// One program of a <see cref="BpfObject"/> (a <c>struct bpf_program</c> owned by the object). It lives as long
/// as its object; attaching it creates a <see cref="BpfLink"/>.
/// </summary>
public sealed class BpfProgramHandle
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

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({SectionName})";
}
