using System.Numerics;
using BenchmarkDotNet.Attributes;
using CsBpf.Runtime;

namespace CsBpf.Benchmarks;

/// <summary>
/// Map operations on 1024-entry maps created by bench.bpf.o, per operation (OperationsPerInvoke): the C#
/// runtime against the same libbpf calls made in a C loop (one P/Invoke per 1024 operations, so the C side
/// pays no interop per operation). Both sides use the same kernel maps.
/// </summary>
[MemoryDiagnoser]
public unsafe class MapBenchmarks
{
    private const int N = 1024;

    private BpfObject _object = null!;
    private BpfHashMap<uint, ulong> _hash = null!;
    private BpfArrayMap<ulong> _array = null!;
    private BpfArrayMap<ulong> _mmapArray = null!;
    private int _hashFd;
    private int _arrayFd;
    private uint[] _keys = null!;
    private ulong[] _values = null!;
    private ulong* _mmapBase;

    [GlobalSetup]
    public void Setup()
    {
        NativeBench.EnsureLoaded();
        _object = BenchEnvironment.LoadObject();
        _hash = _object.GetHashMap<uint, ulong>("counts");
        _array = _object.GetArrayMap<ulong>("values");
        _mmapArray = _object.GetArrayMap<ulong>("mm_values");
        _hashFd = _hash.Map.Fd;
        _arrayFd = _array.Map.Fd;
        _keys = new uint[N];
        _values = new ulong[N];
        for (var i = 0u; i < N; i++)
        {
            _hash[i] = i;
            _array[i] = i;
        }
        var span = _mmapArray.AsSpan();
        for (var i = 0; i < N; i++) span[i] = (ulong)i;
        fixed (ulong* p = span) _mmapBase = p;
    }

    [GlobalCleanup]
    public void Cleanup() => _object.Dispose();

    // ---- hash lookup ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("hash lookup")]
    public long HashLookup_C() => NativeBench.Lookup(_hashFd, N);

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("hash lookup")]
    public ulong HashLookup_CsBpf()
    {
        ulong sum = 0;
        for (var key = 0u; key < N; key++)
        {
            _hash.TryGetValue(key, out var value);
            sum += value;
        }
        return sum;
    }

    // ---- hash update ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("hash update")]
    public long HashUpdate_C() => NativeBench.Update(_hashFd, N);

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("hash update")]
    public void HashUpdate_CsBpf()
    {
        for (var key = 0u; key < N; key++) _hash.Update(key, key);
    }

    // ---- array lookup (syscall) ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("array lookup")]
    public long ArrayLookup_C() => NativeBench.Lookup(_arrayFd, N);

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("array lookup")]
    public ulong ArrayLookup_CsBpf()
    {
        ulong sum = 0;
        for (var i = 0u; i < N; i++) sum += _array[i];
        return sum;
    }

    // ---- batch lookup, per element ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("hash batch lookup (per element)")]
    public long BatchLookup_C()
    {
        fixed (uint* k = _keys)
        fixed (ulong* v = _values)
            return NativeBench.LookupBatch(_hashFd, N, k, v);
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("hash batch lookup (per element)")]
    public int BatchLookup_CsBpf()
    {
        var cursor = default(BpfMapBatchCursor);
        var total = 0;
        while (!cursor.IsComplete && total < N)
            total += _hash.LookupBatch(ref cursor, _keys.AsSpan(total), _values.AsSpan(total));
        return total;
    }

    // ---- iterate keys (get_next_key), per key ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("hash iterate (per key)")]
    public long Iterate_C() => NativeBench.Iterate(_hashFd);

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("hash iterate (per key)")]
    public int Iterate_CsBpf()
    {
        var n = 0;
        foreach (var _ in _hash.Keys) n++;
        return n;
    }

    // ---- mmap array read, per element ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("mmap array read (per element)")]
    public long MmapRead_C() => NativeBench.MmapSum(_mmapBase, N);

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("mmap array read (per element)")]
    public ulong MmapRead_CsBpf_Loop()
    {
        ulong sum = 0;
        foreach (var value in _mmapArray.AsReadOnlySpan()) sum += value;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("mmap array read (per element)")]
    public ulong MmapRead_CsBpf_Vector()
    {
        // What gcc -O2 does to the C loop (auto-vectorization), written out: the span is plain memory.
        var span = _mmapArray.AsReadOnlySpan();
        var acc = Vector<ulong>.Zero;
        var i = 0;
        for (; i <= span.Length - Vector<ulong>.Count; i += Vector<ulong>.Count) acc += new Vector<ulong>(span[i..]);
        var sum = Vector.Sum(acc);
        for (; i < span.Length; i++) sum += span[i];
        return sum;
    }
}
