namespace CsBpf.Runtime;

/// <summary>
/// Receives one ring buffer record, zero-copy: <paramref name="record"/> points into the ring's shared memory
/// and is valid only until the handler returns (the reader then releases the space to the BPF producers).
/// Copy what must outlive the call.
/// </summary>
/// <param name="record">The record's bytes, exactly as long as the BPF program reserved or output.</param>
public delegate void RingBufferHandler(ReadOnlySpan<byte> record);
