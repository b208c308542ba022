namespace CsBpf;

/// <summary>Kernel map types (<c>enum bpf_map_type</c> in <c>include/uapi/linux/bpf.h</c>).</summary>
public enum BpfMapType
{
    /// <summary><c>BPF_MAP_TYPE_HASH</c>.</summary>
    Hash = 1,
    /// <summary><c>BPF_MAP_TYPE_ARRAY</c>.</summary>
    Array = 2,
    /// <summary><c>BPF_MAP_TYPE_PERCPU_HASH</c>.</summary>
    PerCpuHash = 5,
    /// <summary><c>BPF_MAP_TYPE_PERCPU_ARRAY</c>.</summary>
    PerCpuArray = 6,
    /// <summary><c>BPF_MAP_TYPE_LRU_HASH</c>.</summary>
    LruHash = 9,
    /// <summary><c>BPF_MAP_TYPE_RINGBUF</c>.</summary>
    RingBuf = 27,
}
