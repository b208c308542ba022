using System.Runtime.InteropServices;

namespace CsBpf.Benchmarks;

/// <summary>
/// The C reference side (bench/native/bench_consumers.c, built into libcsbpf_bench.so by bench/native/build.sh):
/// libbpf's ring buffer consumer, a minimal C consumer over the mmap, and C loops of libbpf map calls.
/// </summary>
internal static unsafe partial class NativeBench
{
    private const string Library = "csbpf_bench";

    static NativeBench() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeBench).Assembly, (name, _, _) =>
            name == Library ? NativeLibrary.Load(Path.Combine(BenchEnvironment.NativeDirectory, "libcsbpf_bench.so")) : 0);

    [LibraryImport(Library, EntryPoint = "bench_libbpf_ring_new")]
    public static partial nint LibbpfRingNew(int mapFd);

    [LibraryImport(Library, EntryPoint = "bench_libbpf_ring_consume")]
    public static partial long LibbpfRingConsume(nint ring, ulong* sum);

    [LibraryImport(Library, EntryPoint = "bench_libbpf_ring_free")]
    public static partial void LibbpfRingFree(nint ring);

    [LibraryImport(Library, EntryPoint = "bench_minimal_ring_new")]
    public static partial nint MinimalRingNew(int mapFd, uint size);

    [LibraryImport(Library, EntryPoint = "bench_minimal_ring_consume")]
    public static partial long MinimalRingConsume(nint ring, ulong* sum);

    [LibraryImport(Library, EntryPoint = "bench_minimal_ring_free")]
    public static partial void MinimalRingFree(nint ring);

    [LibraryImport(Library, EntryPoint = "bench_c_lookup")]
    public static partial long Lookup(int fd, uint n);

    [LibraryImport(Library, EntryPoint = "bench_c_update")]
    public static partial long Update(int fd, uint n);

    [LibraryImport(Library, EntryPoint = "bench_c_lookup_batch")]
    public static partial long LookupBatch(int fd, uint n, uint* keys, ulong* values);

    [LibraryImport(Library, EntryPoint = "bench_c_iterate")]
    public static partial long Iterate(int fd);

    [LibraryImport(Library, EntryPoint = "bench_c_mmap_sum")]
    public static partial long MmapSum(ulong* values, uint n);

    /// <summary>libbpf's own <c>bpf_map_lookup_elem</c>, P/Invoked directly (no CsBpf code in between).</summary>
    [LibraryImport("libbpf.so.1", EntryPoint = "bpf_map_lookup_elem")]
    public static partial int RawLookup(int fd, void* key, void* value);

    /// <summary>libbpf's own <c>bpf_map_update_elem</c>, P/Invoked directly.</summary>
    [LibraryImport("libbpf.so.1", EntryPoint = "bpf_map_update_elem")]
    public static partial int RawUpdate(int fd, void* key, void* value, ulong flags);

    /// <summary>Registers the resolver before BenchmarkDotNet starts timing.</summary>
    public static void EnsureLoaded() => System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(NativeBench).TypeHandle);
}
