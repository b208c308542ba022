using System.Runtime.InteropServices;

namespace CsBpf.Runtime;

/// <summary>
/// One sample of a perf event array read by <see cref="BpfPerfEventArray.ReadAllAsync{T}"/>: the value (the
/// sample's first <c>sizeof(T)</c> bytes, copied), the CPU whose buffer held it, and how many samples that
/// CPU's buffer dropped just before it.
/// </summary>
/// <typeparam name="T">The sample layout.</typeparam>
[StructLayout(LayoutKind.Auto)]
public readonly struct PerfEventSample<T>
    where T : unmanaged
{
    /// <summary>Creates a sample.</summary>
    /// <param name="cpu">The CPU.</param>
    /// <param name="value">The value.</param>
    /// <param name="lostBefore">Samples lost on that CPU since its previous sample was read.</param>
    public PerfEventSample(int cpu, T value, long lostBefore)
    {
        Cpu = cpu;
        Value = value;
        LostBefore = lostBefore;
    }

    /// <summary>The CPU whose buffer held the sample (the CPU the program ran on, with <c>BPF_F_CURRENT_CPU</c>).</summary>
    public int Cpu { get; }

    /// <summary>The sample's first <c>sizeof(T)</c> bytes.</summary>
    public T Value { get; }

    /// <summary>
    /// Samples the kernel dropped on this CPU (its buffer was full: <c>PERF_RECORD_LOST</c>) since the CPU's
    /// previous sample was read, i.e. the gap just before this one; 0 when nothing was lost. The kernel writes
    /// the loss report once there is room again, ahead of the next sample, so a loss always shows up on the sample
    /// that follows it. <see cref="BpfPerfEventArray.LostSamples"/> keeps the total.
    /// </summary>
    public long LostBefore { get; }

    /// <summary>Deconstructs into the value and CPU.</summary>
    public void Deconstruct(out int cpu, out T value)
    {
        cpu = Cpu;
        value = Value;
    }
}
