using System.Runtime.InteropServices;

namespace CsBpf.Runtime.Native;

/// <summary>
/// <c>struct bpf_test_run_opts</c> as declared by libbpf 1.1 (bpf.h, last field <c>batch_size</c>). libbpf
/// checks <see cref="Size"/> and rejects non-zero bytes beyond the fields it knows.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfTestRunOpts
{
    /// <summary><c>sz</c>.</summary>
    public nuint Size;
    /// <summary><c>data_in</c>: the packet for networking programs.</summary>
    public void* DataIn;
    /// <summary><c>data_out</c>: receives the packet after the run.</summary>
    public void* DataOut;
    /// <summary><c>data_size_in</c>.</summary>
    public uint DataSizeIn;
    /// <summary><c>data_size_out</c>: in: capacity of <see cref="DataOut"/>; out: bytes the kernel wanted to write.</summary>
    public uint DataSizeOut;
    /// <summary><c>ctx_in</c>: the context (e.g. <c>struct xdp_md</c>, or a syscall program's argument struct).</summary>
    public void* ContextIn;
    /// <summary><c>ctx_out</c>.</summary>
    public void* ContextOut;
    /// <summary><c>ctx_size_in</c>.</summary>
    public uint ContextSizeIn;
    /// <summary><c>ctx_size_out</c>.</summary>
    public uint ContextSizeOut;
    /// <summary><c>retval</c> (out): the program's return value.</summary>
    public uint ReturnValue;
    /// <summary><c>repeat</c>: how many times to run (0 means once).</summary>
    public int Repeat;
    /// <summary><c>duration</c> (out): average run time per repetition, in nanoseconds.</summary>
    public uint Duration;
    /// <summary><c>flags</c>.</summary>
    public uint Flags;
    /// <summary><c>cpu</c>.</summary>
    public uint Cpu;
    /// <summary><c>batch_size</c>.</summary>
    public uint BatchSize;
}
