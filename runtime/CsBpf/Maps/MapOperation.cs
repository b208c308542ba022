namespace CsBpf;

/// <summary>The map operations the compiler lowers to helper calls.</summary>
public enum MapOperation
{
    /// <summary><c>bpf_map_lookup_elem</c>, returning a reference to the value or a null reference.</summary>
    LookupRef,
    /// <summary><c>bpf_map_lookup_elem</c>, copying the value out if present.</summary>
    TryGetValue,
    /// <summary><c>bpf_map_update_elem</c>.</summary>
    Update,
    /// <summary><c>bpf_map_delete_elem</c>.</summary>
    Delete,
    /// <summary><c>bpf_map_push_elem</c> (helper 87): queue and stack maps.</summary>
    Push,
    /// <summary><c>bpf_map_pop_elem</c> (helper 88), copying the value out.</summary>
    Pop,
    /// <summary><c>bpf_map_peek_elem</c> (helper 89), copying the value out.</summary>
    Peek,
    /// <summary><c>bpf_ringbuf_output</c> (helper 130): copies a record into a ring buffer.</summary>
    RingBufferOutput,
    /// <summary><c>bpf_ringbuf_reserve</c> (helper 131): a reference to a record in the ring, or a null reference.</summary>
    RingBufferReserve,
    /// <summary><c>bpf_ringbuf_submit</c> (helper 132).</summary>
    RingBufferSubmit,
    /// <summary><c>bpf_ringbuf_discard</c> (helper 133).</summary>
    RingBufferDiscard,
    /// <summary><c>bpf_ringbuf_query</c> (helper 134).</summary>
    RingBufferQuery,
    /// <summary><c>bpf_perf_event_output</c> (helper 25) with <c>BPF_F_CURRENT_CPU</c>.</summary>
    PerfEventOutput,
    /// <summary><c>bpf_get_stackid</c> (helper 27).</summary>
    GetStackId,
    /// <summary><c>bpf_tail_call</c> (helper 12).</summary>
    TailCall,
    /// <summary><c>bpf_map_lookup_elem</c> on a map of maps: the inner map, if the slot holds one.</summary>
    LookupMap,
}

/// <summary>
/// Marks a map method the compiler lowers to a map helper. Like <see cref="BpfHelperAttribute"/> on helper
/// stubs, it carries the helper's number and the program types the kernel offers it to, so analyzers can check
/// availability from the stub itself.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class MapIntrinsicAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public MapIntrinsicAttribute(MapOperation operation) => Operation = operation;

    /// <summary>The operation.</summary>
    public MapOperation Operation { get; }

    /// <summary>The helper number the operation calls (<c>enum bpf_func_id</c>), e.g. 1 for <c>bpf_map_lookup_elem</c>.</summary>
    public int Helper { get; set; }

    /// <summary>The program types the kernel offers the helper to (its <c>get_func_proto</c> per program type).</summary>
    public BpfProgramTypes Programs { get; set; } = BpfProgramTypes.All;

    /// <summary>The helper is GPL-only: the program's license must be GPL-compatible.</summary>
    public bool GplOnly { get; set; }
}
