namespace CsBpf.Runtime;

/// <summary>
/// Receives one ring buffer record as a read-only reference to a <typeparamref name="T"/> laid over the ring's
/// shared memory (zero-copy): valid only until the handler returns.
/// </summary>
/// <typeparam name="T">The record's layout; records shorter than <typeparamref name="T"/> are rejected.</typeparam>
/// <param name="record">The record, 8-byte aligned (the kernel aligns every record on 8 bytes).</param>
public delegate void RingBufferHandler<T>(ref readonly T record)
    where T : unmanaged;
