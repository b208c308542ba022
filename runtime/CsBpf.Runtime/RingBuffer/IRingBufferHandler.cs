namespace CsBpf.Runtime;

/// <summary>
/// A ring buffer record handler implemented by a struct, for <see cref="BpfRingBuffer.Consume{THandler}(ref THandler, int)"/>:
/// the JIT specializes the consume loop for the struct and can inline <see cref="OnRecord"/>, so there is no
/// indirect call per record (the fastest way to drain a ring of small records).
/// </summary>
public interface IRingBufferHandler
{
    /// <summary>Handles one record; <paramref name="record"/> is valid only during the call (zero-copy).</summary>
    /// <param name="record">The record's bytes in the ring's shared memory.</param>
    void OnRecord(ReadOnlySpan<byte> record);
}
