namespace CsBpf.Runtime;

/// <summary>The outcome of <see cref="BpfProgramHandle.TestRun(ReadOnlySpan{byte}, Span{byte}, int)"/> (<c>BPF_PROG_TEST_RUN</c>).</summary>
/// <param name="ReturnValue">The program's return value (of the last repetition), e.g. <c>XDP_PASS</c> (2).</param>
/// <param name="DurationNanoseconds">The kernel's average run time per repetition in nanoseconds (0 for program types that do not measure it, e.g. <c>syscall</c>).</param>
/// <param name="DataOutLength">Bytes of packet data the kernel returned (may exceed the output span, which then holds a prefix); 0 without packet data.</param>
public readonly record struct BpfTestRunResult(int ReturnValue, uint DurationNanoseconds, int DataOutLength);
