namespace CsBpf;

/// <summary>Flags of <see cref="StackTraceMap.GetStackId{TContext}(TContext, StackTraceFlags, uint)"/> (<c>bpf_get_stackid</c>'s <c>BPF_F_*</c>).</summary>
[Flags]
public enum StackTraceFlags : ulong
{
    /// <summary>The kernel stack, a new id only for a new stack.</summary>
    None = 0,
    /// <summary><c>BPF_F_USER_STACK</c>: the user-space stack instead of the kernel's.</summary>
    UserStack = 1 << 8,
    /// <summary><c>BPF_F_FAST_STACK_CMP</c>: compare stacks by hash only.</summary>
    FastStackCompare = 1 << 9,
    /// <summary><c>BPF_F_REUSE_STACKID</c>: a stack whose hash collides with a stored one replaces it (instead of <c>-EEXIST</c>).</summary>
    ReuseStackId = 1 << 10,
}
