using System.Runtime.InteropServices;
using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>Batch operations, memory-mapped arrays, per-CPU views and pinning, on maps in the kernel (Fixtures/maps.bpf.c).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MapExtrasTests : IDisposable
{
    /// <summary>C: <c>struct flow_key</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private record struct FlowKey(uint Addr, ushort Port, ushort Proto);

    /// <summary>C: <c>struct stats</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private record struct Stats(ulong Packets, ulong Bytes);

    /// <summary>C: <c>struct bump_args</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct BumpArgs
    {
        public uint Index;
        public uint Pad;
        public ulong Amount;
    }

    private readonly BpfObject _obj;

    public MapExtrasTests()
    {
        KernelEnvironment.Require();
        _obj = BpfObject.Open(BpfFixtures.Compile("maps"), "maps");
        _obj.Load();
    }

    public void Dispose() => _obj.Dispose();

    [Fact]
    public void Batch_update_lookup_and_delete_on_a_hash_map()
    {
        var numbers = _obj.GetHashMap<uint, ulong>("numbers");
        var keys = Enumerable.Range(0, 1000).Select(i => (uint)i * 7).ToArray();
        var values = keys.Select(k => (ulong)k * 3).ToArray();

        Assert.Equal(1000, numbers.UpdateBatch(keys, values));

        var expected = keys.Zip(values).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal(expected, numbers.ToDictionary(batchSize: 64));
        Assert.Equal(1000, numbers.Count); // the per-key walk agrees

        // The cursor walks the whole map in batches, each key once.
        var seen = new List<uint>();
        var cursor = default(BpfMapBatchCursor);
        Span<uint> keyBatch = stackalloc uint[100];
        Span<ulong> valueBatch = stackalloc ulong[100];
        var calls = 0;
        while (!cursor.IsComplete)
        {
            var n = numbers.LookupBatch(ref cursor, keyBatch, valueBatch);
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(keyBatch[i] * 3ul, valueBatch[i]);
                seen.Add(keyBatch[i]);
            }
            calls++;
        }
        Assert.Equal(keys.Order(), seen.Order());
        Assert.True(calls < 100, $"{calls} batch calls for 1000 elements");
        Assert.Equal(0, numbers.LookupBatch(ref cursor, keyBatch, valueBatch)); // complete stays complete

        // Existing keys are replaced.
        Assert.Equal(1, numbers.UpdateBatch([7u], [1ul]));
        Assert.Equal(1ul, numbers[7]);
        Assert.Throws<ArgumentException>(() => numbers.UpdateBatch([1u, 2u], [1ul]));

        // Missing keys are skipped; present ones are deleted.
        uint[] toDelete = [0, 1, 7, 2, 14, 3];
        Assert.Equal(3, numbers.DeleteBatch(toDelete));
        Assert.False(numbers.ContainsKey(7));
        Assert.False(numbers.ContainsKey(14));
        Assert.Equal(997, numbers.Count);

        // Lookup-and-delete drains the map.
        var drained = 0;
        cursor = default;
        while (!cursor.IsComplete) drained += numbers.LookupAndDeleteBatch(ref cursor, keyBatch, valueBatch);
        Assert.Equal(997, drained);
        Assert.Equal(0, numbers.Count);
    }

    [Fact]
    public void Batch_operations_on_an_array_map()
    {
        var slots = _obj.GetArrayMap<Stats>("slots");
        Stats[] written = [new(1, 10), new(2, 20), new(3, 30)];

        Assert.Equal(3, slots.WriteBatch(written, startIndex: 4));

        var all = slots.ToArray();
        Assert.Equal(8, all.Length);
        Assert.Equal(written, all[4..7]);
        Assert.Equal(default, all[3]);
        Assert.Equal(new Stats(2, 20), slots[5]); // the per-element path agrees

        var tail = new Stats[10];
        Assert.Equal(3, slots.CopyTo(tail, startIndex: 5)); // elements 5, 6, 7
        Assert.Equal(new[] { new Stats(2, 20), new Stats(3, 30), default }, tail[..3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => slots.WriteBatch(written, startIndex: 6));
    }

    [Fact]
    public void Mmapable_array_is_a_live_span_shared_with_the_program()
    {
        var stats = _obj.GetArrayMap<Stats>("mm_stats");
        Assert.True(stats.IsMmapable);
        Assert.False(_obj.GetArrayMap<Stats>("slots").IsMmapable);

        var span = stats.AsSpan();
        Assert.Equal(16, span.Length);
        span[2] = new Stats(100, 5);
        Assert.Equal(new Stats(100, 5), stats[2]); // the host's store is the map's value

        Bump(index: 2, amount: 1);
        Bump(index: 3, amount: 5);

        Assert.Equal(new Stats(101, 5), span[2]); // the program's increment, seen without a system call
        Assert.Equal(5ul, stats.AsReadOnlySpan()[3].Packets);
        stats[4] = new Stats(9, 9);
        Assert.Equal(new Stats(9, 9), span[4]);
    }

    [Fact]
    public void Arrays_that_cannot_be_spans_say_why()
    {
        var notMmapable = Assert.Throws<InvalidOperationException>(() => _obj.GetArrayMap<Stats>("slots").AsSpan());
        Assert.Contains("BPF_F_MMAPABLE", notMmapable.Message);

        var narrow = Assert.Throws<InvalidOperationException>(() => _obj.GetArrayMap<uint>("mm_narrow").AsSpan());
        Assert.Contains("4-byte values, which the kernel stores 8 bytes apart", narrow.Message);
        Assert.Equal(0u, _obj.GetArrayMap<uint>("mm_narrow")[3]); // element access still works
    }

    [Fact]
    public void Per_cpu_views_return_one_value_per_possible_CPU()
    {
        var possible = PossibleCpus();
        Assert.Equal(possible, BpfMap.PossibleCpuCount);

        var array = _obj.GetPerCpuArrayMap<uint>("percpu"); // 4-byte values in 8-byte slots
        Assert.Equal(possible, array.CpuCount);
        var values = Enumerable.Range(0, possible).Select(cpu => (uint)(cpu + 100)).ToArray();
        array[1] = values;
        Assert.Equal(values, array[1]);
        Assert.Equal(new uint[possible], array[0]);
        Span<uint> buffer = stackalloc uint[possible];
        array.Read(1, buffer);
        Assert.Equal(values, buffer.ToArray());
        Assert.Throws<ArgumentException>(() => array[1] = new uint[possible + 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => array[2]);

        // The program adds to the slot of the CPU it runs on; the host sees all of them.
        var hash = _obj.GetPerCpuHashMap<uint, ulong>("percpu_hash");
        Assert.False(hash.TryGetValue(3, out ulong[] _));
        Bump(index: 3, amount: 5);
        Bump(index: 3, amount: 6);
        var perCpu = hash[3];
        Assert.Equal(possible, perCpu.Length);
        Assert.Equal(11ul, perCpu.Aggregate(0ul, (a, b) => a + b));

        hash.Update(9, Enumerable.Repeat(2ul, possible).ToArray(), MapUpdateFlags.NoExist);
        Assert.Equal(Enumerable.Repeat(2ul, possible), hash[9]);
        Assert.Equal([3u, 9u], hash.Keys.Order());
        Assert.Equal(2, hash.Count());
        Assert.True(hash.Delete(9));

        Assert.Contains("per-CPU", Assert.Throws<BpfException>(() => _obj.GetHashMap<uint, ulong>("percpu_hash")).Message);
        Assert.Contains("not a per-CPU array", Assert.Throws<BpfException>(() => _obj.GetPerCpuArrayMap<ulong>("numbers")).Message);
    }

    [Fact]
    public void Pinned_maps_outlive_the_object_and_open_typed()
    {
        var path = $"/sys/fs/bpf/csbpf-test-{Guid.NewGuid():N}";
        var flows = _obj.GetHashMap<FlowKey, Stats>("flows");
        flows[new FlowKey(1, 2, 3)] = new Stats(4, 5);

        flows.Map.Pin(path);
        try
        {
            Assert.Equal(path, flows.Map.PinnedPath);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Contains("EEXIST", Assert.Throws<BpfException>(() => flows.Map.Pin(path)).Message);

            using var pinned = BpfHashMap<FlowKey, Stats>.OpenPinned(path);
            Assert.Null(pinned.Map.Object);
            Assert.Equal("flows", pinned.Name);
            Assert.Equal(64u, pinned.Map.MaxEntries);
            Assert.Equal(new Stats(4, 5), pinned[new FlowKey(1, 2, 3)]);

            // Same kernel map: writes through one view are seen by the other, and it survives the object.
            pinned[new FlowKey(6, 7, 8)] = new Stats(9, 10);
            Assert.Equal(new Stats(9, 10), flows[new FlowKey(6, 7, 8)]);
            _obj.Dispose();
            Assert.Equal(2, pinned.Count);

            Assert.Contains("not an array map", Assert.Throws<BpfException>(() => BpfArrayMap<Stats>.OpenPinned(path)).Message);
            Assert.Throws<BpfException>(() => BpfHashMap<uint, Stats>.OpenPinned(path)); // key size differs

            pinned.Map.Unpin();
            Assert.False(File.Exists(path));
            Assert.Equal(2, pinned.Count); // the open fd keeps the map alive
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<FileNotFoundException>(() => BpfMap.OpenPinned(path));
    }

    [Fact]
    public void Pinning_outside_bpffs_is_refused_with_the_fix()
    {
        var e = Assert.Throws<BpfException>(() => _obj.GetMap("flows").Pin(Path.Combine(Path.GetTempPath(), "csbpf-not-bpffs")));

        Assert.Contains("is not on a BPF filesystem", e.Message);
        Assert.Contains("/sys/fs/bpf", e.Message);
        Assert.Throws<InvalidOperationException>(() => _obj.GetMap("flows").Unpin());
    }

    private void Bump(uint index, ulong amount)
    {
        var args = new BumpArgs { Index = index, Amount = amount };
        Assert.Equal(0, _obj.GetProgram("bump").TestRun(ref args).ReturnValue);
    }

    private static int PossibleCpus()
    {
        var text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
        return text.Split(',').Sum(range => range.Split('-') is [var a, var b] ? int.Parse(b) - int.Parse(a) + 1 : 1);
    }
}
