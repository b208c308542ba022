namespace CsBpf;

/// <summary>Wake-up flags of <c>bpf_ringbuf_output</c>/<c>submit</c>/<c>discard</c> (<c>BPF_RB_*</c>).</summary>
[Flags]
public enum RingBufferFlags : ulong
{
    /// <summary>Wake the reader if it has caught up (the default, adaptive notification).</summary>
    None = 0,
    /// <summary><c>BPF_RB_NO_WAKEUP</c>: do not wake the reader (batch records; the reader polls or is woken later).</summary>
    NoWakeup = 1,
    /// <summary><c>BPF_RB_FORCE_WAKEUP</c>: always wake the reader.</summary>
    ForceWakeup = 2,
}
