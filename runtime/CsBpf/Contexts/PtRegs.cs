namespace CsBpf;

/// <summary>
/// The context of kprobe, kretprobe, uprobe and uretprobe programs: the probed task's registers
/// (x86-64 <c>struct pt_regs</c>, arch/x86/include/asm/ptrace.h). In BPF code every property is one load at
/// a constant offset of the context (the verifier allows reads only); pass the value itself to helpers that
/// take the context. On the CLR it reads the same layout through the pointer it wraps.
/// </summary>
/// <remarks>
/// The argument registers follow the x86-64 System V calling convention (rdi, rsi, rdx, rcx, r8, r9), which
/// both kernel and user-space functions use. A system call's fourth argument is in r10, not rcx:
/// use <see cref="SyscallArg3"/> when probing a syscall entry through its registers.
/// </remarks>
public readonly unsafe struct PtRegs : IBpfContext
{
    /// <summary>The size of <c>struct pt_regs</c> on x86-64.</summary>
    public const int Size = 168;

    private readonly ulong* _regs;

    /// <summary>Wraps a <c>struct pt_regs</c> (used when the program runs on the CLR).</summary>
    public PtRegs(void* regs) => _regs = (ulong*)regs;

    /// <summary>The wrapped pointer (the CLR side of <see cref="Bpf.AddressOf{T}"/>).</summary>
    internal void* Pointer => _regs;

    /// <summary>The first argument (rdi).</summary>
    [ContextField(112)] public ulong Arg0 => _regs[14];

    /// <summary>The second argument (rsi).</summary>
    [ContextField(104)] public ulong Arg1 => _regs[13];

    /// <summary>The third argument (rdx).</summary>
    [ContextField(96)] public ulong Arg2 => _regs[12];

    /// <summary>The fourth argument of a function call (rcx).</summary>
    [ContextField(88)] public ulong Arg3 => _regs[11];

    /// <summary>The fifth argument (r8).</summary>
    [ContextField(72)] public ulong Arg4 => _regs[9];

    /// <summary>The sixth argument (r9).</summary>
    [ContextField(64)] public ulong Arg5 => _regs[8];

    /// <summary>The fourth argument of a system call (r10: the syscall instruction clobbers rcx).</summary>
    [ContextField(56)] public ulong SyscallArg3 => _regs[7];

    /// <summary>The return value (rax), meaningful in return probes.</summary>
    [ContextField(80)] public ulong ReturnValue => _regs[10];

    /// <summary>The system call number on syscall entry (orig_ax).</summary>
    [ContextField(120)] public ulong SyscallNumber => _regs[15];

    /// <summary>The instruction pointer (rip): the probed address in an entry probe.</summary>
    [ContextField(128)] public ulong InstructionPointer => _regs[16];

    /// <summary>The stack pointer (rsp).</summary>
    [ContextField(152)] public ulong StackPointer => _regs[19];

    /// <summary>The frame pointer (rbp).</summary>
    [ContextField(32)] public ulong FramePointer => _regs[4];
}
