namespace CsBpf.Runtime;

/// <summary>
/// Receives one sample written by <c>bpf_perf_event_output</c>. <paramref name="sample"/> points into the CPU's
/// perf buffer (or, for a sample that wraps around the buffer's end, into a reassembly buffer) and is valid only
/// until the handler returns.
/// </summary>
/// <param name="cpu">The CPU whose buffer held the sample (the CPU the program ran on, with <c>BPF_F_CURRENT_CPU</c>).</param>
/// <param name="sample">The program's bytes. The kernel pads raw samples so that the 4-byte size and the data end on an 8-byte boundary, so this can be up to 7 bytes longer than what the program passed.</param>
public delegate void PerfEventHandler(int cpu, ReadOnlySpan<byte> sample);
