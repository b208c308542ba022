using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Uprobes and uretprobes (bpf_program__attach_uprobe_opts): a kprobe-type program on a user-space function.
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// Attaches this program as a uprobe on <paramref name="function"/> of <paramref name="binaryPath"/>, or as a
    /// uretprobe when its section is <c>uretprobe…</c> (<c>[Uretprobe]</c>). libbpf resolves the symbol in the
    /// binary's ELF symbol tables (and a shared library's load offset) and creates the probe through perf.
    /// </summary>
    /// <param name="binaryPath">The executable or shared library: a path, or a library name such as
    /// <c>libc.so.6</c> that libbpf looks up in the standard library directories.</param>
    /// <param name="function">The function's symbol (optionally versioned, <c>name@LIB</c>).</param>
    /// <param name="pid">The process to probe: -1 for every process that maps the binary, 0 for this process.</param>
    /// <param name="offset">A byte offset into the function (0: its entry). Return probes must use 0.</param>
    /// <param name="cookie">A value the program reads with <c>Bpf.GetAttachCookie</c> (Linux 5.15).</param>
    /// <exception cref="BpfAttachTargetNotFoundException">The binary or the symbol does not exist.</exception>
    /// <exception cref="BpfAttachException">The program is not a kprobe-type program, or the kernel refused.</exception>
    /// <exception cref="BpfPermissionException">The process lacks the privileges to attach.</exception>
    public BpfLink AttachUprobe(string binaryPath, string function, int pid = -1, ulong offset = 0, ulong cookie = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        return AttachUprobeCore(binaryPath, function, pid, offset, cookie);
    }

    /// <summary>
    /// Attaches this program as a uprobe (or uretprobe) at byte <paramref name="fileOffset"/> of
    /// <paramref name="binaryPath"/>'s file, for probes that have no symbol (e.g. inside a stripped binary).
    /// </summary>
    /// <param name="binaryPath">The executable or shared library.</param>
    /// <param name="fileOffset">The instruction's offset in the ELF file (not its virtual address).</param>
    /// <param name="pid">The process to probe: -1 for every process, 0 for this process.</param>
    /// <param name="cookie">A value the program reads with <c>Bpf.GetAttachCookie</c>.</param>
    public BpfLink AttachUprobe(string binaryPath, ulong fileOffset, int pid = -1, ulong cookie = 0) =>
        AttachUprobeCore(binaryPath, null, pid, fileOffset, cookie);

    /// <summary>
    /// Attaches this program to the binary and function its section names (<c>[Uprobe("/bin/x", "f")]</c>), but
    /// only for process <paramref name="pid"/>; <see cref="Attach"/> attaches it for every process.
    /// </summary>
    /// <exception cref="InvalidOperationException">The section names no binary and function (<c>[Uprobe]</c> without arguments).</exception>
    public BpfLink AttachUprobe(int pid, ulong cookie = 0)
    {
        if (!TryParseUprobeSection(SectionName, out _, out var binary, out var function, out var offset))
            throw new InvalidOperationException(
                $"Program '{Name}' (section '{SectionName}') names no binary and function to probe: pass them, as in AttachUprobe(\"/path/to/binary\", \"function\", pid).");
        return AttachUprobeCore(binary, function, pid, offset, cookie);
    }

    private unsafe BpfLink AttachUprobeCore(string binaryPath, string? function, int pid, ulong offset, ulong cookie)
    {
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(pid, -1);
        _owner.ThrowIfNotLoaded($"attach program '{Name}'");
        RequireProgramType(KprobeProgramType, "a uprobe", "[Uprobe] or [Uretprobe]");
        bool retprobe = SectionName.StartsWith("uretprobe", StringComparison.Ordinal) || SectionName.StartsWith("kretprobe", StringComparison.Ordinal);
        if (retprobe && offset != 0)
            throw new ArgumentException($"Program '{Name}' is a return probe: it attaches to the function's return, so it takes no offset.", nameof(offset));
        var target = $"{(retprobe ? "uretprobe" : "uprobe")} {binaryPath}:{function ?? ""}{(offset != 0 ? $"+0x{offset:x}" : "")}{(pid >= 0 ? $" pid {pid}" : "")}";
        if (binaryPath.Contains('/') && !File.Exists(binaryPath))
            throw new BpfAttachTargetNotFoundException(
                $"Binary '{binaryPath}' does not exist: program '{Name}' cannot probe it. Pass the executable or shared library that contains the function.",
                Name, target, Errno.ENOENT);
        using var name = function is null ? null : NativeBuffer.Utf8(function);
        return _owner.Attach(this, target, (prog, _) =>
        {
            var opts = new BpfUprobeOpts
            {
                Size = (nuint)sizeof(BpfUprobeOpts),
                Cookie = cookie,
                RetProbe = retprobe ? (byte)1 : (byte)0,
                FunctionName = name is null ? null : (byte*)name.Pointer,
            };
            return LibBpf.bpf_program__attach_uprobe_opts(prog, pid, binaryPath, (nuint)offset, &opts);
        }, 0);
    }

    /// <summary>Splits libbpf's <c>u[ret]probe/&lt;binary&gt;:&lt;function&gt;[+offset]</c> section.</summary>
    internal static bool TryParseUprobeSection(string section, out bool retprobe, out string binary, out string function, out ulong offset)
    {
        retprobe = section.StartsWith("uretprobe/", StringComparison.Ordinal);
        binary = function = "";
        offset = 0;
        var slash = section.IndexOf('/');
        if (slash < 0 || !(retprobe || section.StartsWith("uprobe/", StringComparison.Ordinal))) return false;
        var rest = section[(slash + 1)..];
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1) return false;
        binary = rest[..colon];
        function = rest[(colon + 1)..];
        var plus = function.IndexOf('+');
        if (plus >= 0)
        {
            var number = function[(plus + 1)..];
            function = function[..plus];
            offset = number.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? Convert.ToUInt64(number[2..], 16)
                : ulong.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
        }
        return function.Length > 0;
    }

    /// <summary><c>BPF_PROG_TYPE_KPROBE</c>: kprobes, uprobes and USDT.</summary>
    internal const int KprobeProgramType = 2;

    /// <summary>Throws unless the program has the kernel program type <paramref name="type"/>.</summary>
    private void RequireProgramType(int type, string what, string attributes)
    {
        if (ProgramType != type)
            throw new BpfAttachException(
                $"Program '{Name}' (section '{SectionName}', program type {ProgramType}) cannot be attached as {what}: declare it with {attributes}.",
                Name, SectionName, Errno.EINVAL);
    }
}
