namespace CsBpf;

/// <summary>What <see cref="RingBuffer.Query"/> returns (<c>bpf_ringbuf_query</c> flags, <c>BPF_RB_*</c>).</summary>
public enum RingBufferQuery : ulong
{
    /// <summary><c>BPF_RB_AVAIL_DATA</c>: bytes written (reserved or committed) but not yet consumed.</summary>
    AvailableData = 0,
    /// <summary><c>BPF_RB_RING_SIZE</c>: the data area's size in bytes.</summary>
    RingSize = 1,
    /// <summary><c>BPF_RB_CONS_POS</c>: the consumer position.</summary>
    ConsumerPosition = 2,
    /// <summary><c>BPF_RB_PROD_POS</c>: the producer position.</summary>
    ProducerPosition = 3,
}
