namespace CsBpf;

/// <summary>
/// Map creation flags (<c>map_flags</c>, the <c>BPF_F_*</c> constants of <c>include/uapi/linux/bpf.h</c>), set
/// with <see cref="MapAttribute.Flags"/>. The compiler checks the combinations that never work (CSBPF1155); the
/// kernel decides the rest when the map is created.
/// </summary>
[Flags]
public enum MapFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary><c>BPF_F_NO_PREALLOC</c>: allocate hash elements on update instead of up front (hash maps; mandatory for LPM tries, which the compiler sets itself).</summary>
    NoPrealloc = 1u << 0,
    /// <summary><c>BPF_F_NO_COMMON_LRU</c>: one LRU list per CPU instead of a shared one (LRU hash maps).</summary>
    NoCommonLru = 1u << 1,
    /// <summary><c>BPF_F_NUMA_NODE</c>: allocate on <see cref="MapAttribute.NumaNode"/> (set by the compiler when the node is given).</summary>
    NumaNode = 1u << 2,
    /// <summary><c>BPF_F_RDONLY</c>: user space may only read the map.</summary>
    ReadOnly = 1u << 3,
    /// <summary><c>BPF_F_WRONLY</c>: user space may only write the map.</summary>
    WriteOnly = 1u << 4,
    /// <summary><c>BPF_F_STACK_BUILD_ID</c>: a stack trace map stores (build id, offset) pairs instead of addresses.</summary>
    StackBuildId = 1u << 5,
    /// <summary><c>BPF_F_ZERO_SEED</c>: a fixed hash seed (testing only; hash maps).</summary>
    ZeroSeed = 1u << 6,
    /// <summary><c>BPF_F_RDONLY_PROG</c>: BPF programs may only read the map.</summary>
    ReadOnlyProgram = 1u << 7,
    /// <summary><c>BPF_F_WRONLY_PROG</c>: BPF programs may only write the map.</summary>
    WriteOnlyProgram = 1u << 8,
    /// <summary><c>BPF_F_MMAPABLE</c>: the array can be mapped into user memory (array maps).</summary>
    Mmapable = 1u << 10,
    /// <summary><c>BPF_F_PRESERVE_ELEMS</c>: a perf event array keeps its events when its fd is closed.</summary>
    PreserveElements = 1u << 11,
    /// <summary><c>BPF_F_INNER_MAP</c>: an array used as an inner map may have a different <c>max_entries</c> than the template.</summary>
    InnerMap = 1u << 12,
}
