namespace CsBpf;

/// <summary>The errno values the CLR models of map helpers return (negated), as the kernel does.</summary>
internal static class ClrErrno
{
    public const int ENOENT = 2;
    public const int E2BIG = 7;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
}

/// <summary>Which per-CPU slot code running on the CLR uses: the processor the thread runs on, as
/// <see cref="Bpf.GetSmpProcessorId"/> reports it, folded into <see cref="Environment.ProcessorCount"/> slots.</summary>
internal static class ClrCpu
{
    public static int Count => Environment.ProcessorCount;

    public static int Current => (int)(Bpf.GetSmpProcessorId() % (uint)Count);
}
