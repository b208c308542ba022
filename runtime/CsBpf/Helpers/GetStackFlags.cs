namespace CsBpf;

/// <summary>Flags of <see cref="Bpf.GetStack{TContext}"/> (<c>BPF_F_SKIP_FIELD_MASK</c>, <c>BPF_F_USER_STACK</c>, <c>BPF_F_USER_BUILD_ID</c>).</summary>
[Flags]
public enum GetStackFlags : ulong
{
    /// <summary>The kernel stack, from the innermost frame.</summary>
    None = 0,
    /// <summary>The low 8 bits: how many innermost frames to skip (e.g. <c>(GetStackFlags)2</c>).</summary>
    SkipMask = 0xff,
    /// <summary><c>BPF_F_USER_STACK</c>: the user-space stack of the current task instead of the kernel stack.</summary>
    UserStack = 1UL << 8,
    /// <summary><c>BPF_F_USER_BUILD_ID</c>: user frames as (build id, offset) records (<c>struct bpf_stack_build_id</c>, 32 bytes each) instead of addresses.</summary>
    UserBuildId = 1UL << 11,
}
