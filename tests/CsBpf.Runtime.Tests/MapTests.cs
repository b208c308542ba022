using System.Runtime.InteropServices;
using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>Host-side map access on maps created in the kernel (Fixtures/maps.bpf.c).</summary>
public sealed class MapTests : IDisposable
{
    /// <summary>C: <c>struct flow_key { __u32 addr; __u16 port; __u16 proto; }</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private record struct FlowKey(uint Addr, ushort Port, ushort Proto);

    /// <summary>C: <c>struct stats { __u64 packets; __u64 bytes; }</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private record struct Stats(ulong Packets, ulong Bytes);

    private readonly BpfObject _obj;

    public MapTests()
    {
        KernelEnvironment.Require();
        _obj = BpfObject.Open(BpfFixtures.Compile("maps"), "maps");
    }

    public void Dispose() => _obj.Dispose();

    [Fact]
    public void Layout_is_known_before_load_but_access_needs_Load()
    {
        var flows = _obj.GetMap("flows");
        Assert.Equal(BpfMapType.Hash, flows.Type);
        Assert.Equal(8u, flows.KeySize);
        Assert.Equal(16u, flows.ValueSize);
        Assert.Equal(64u, flows.MaxEntries);
        Assert.Contains(_obj.Maps, m => m.Name == "slots" && m.Type == BpfMapType.Array);

        Assert.Contains("call Load() first", Assert.Throws<InvalidOperationException>(() => _obj.GetHashMap<FlowKey, Stats>("flows")).Message);
        Assert.Contains("call Load() first", Assert.Throws<InvalidOperationException>(() => _obj.GetArrayMap<Stats>("slots")).Message);
        Assert.Contains("call Load() first", Assert.Throws<InvalidOperationException>(() => flows.Fd).Message);
        Assert.Contains("call Load() first", Assert.Throws<InvalidOperationException>(() => flows.TryLookup(new byte[8], new byte[16])).Message);
    }

    [Fact]
    public void Hash_map_update_lookup_indexer_delete()
    {
        _obj.Load();
        var flows = _obj.GetHashMap<FlowKey, Stats>("flows");
        var key = new FlowKey(0x0100007f, 443, 6);

        Assert.False(flows.TryGetValue(key, out _));
        Assert.Throws<KeyNotFoundException>(() => flows[key]);

        flows.Update(key, new Stats(1, 100));
        Assert.True(flows.TryGetValue(key, out var stats));
        Assert.Equal(new Stats(1, 100), stats);

        flows[key] = new Stats(2, 300);
        Assert.Equal(new Stats(2, 300), flows[key]);
        Assert.True(flows.ContainsKey(key));

        var exists = Assert.Throws<BpfException>(() => flows.Update(key, default, MapUpdateFlags.NoExist));
        Assert.Equal(17, exists.Errno); // EEXIST
        flows.Update(key, new Stats(3, 400), MapUpdateFlags.Exist);
        Assert.Equal(new Stats(3, 400), flows[key]);

        Assert.True(flows.Delete(key));
        Assert.False(flows.Delete(key));
        Assert.False(flows.ContainsKey(key));
        var missing = Assert.Throws<BpfException>(() => flows.Update(key, default, MapUpdateFlags.Exist));
        Assert.Equal(2, missing.Errno); // ENOENT
    }

    [Fact]
    public void Hash_map_enumerates_keys_and_values()
    {
        _obj.Load();
        var flows = _obj.GetHashMap<FlowKey, Stats>("flows");
        var expected = Enumerable.Range(1, 10).ToDictionary(i => new FlowKey((uint)i, (ushort)(1000 + i), 17), i => new Stats((ulong)i, (ulong)i * 10));
        foreach (var (k, v) in expected) flows[k] = v;

        Assert.Equal(10, flows.Count);
        Assert.Equal(expected.Keys.OrderBy(k => k.Addr), flows.Keys.OrderBy(k => k.Addr));
        Assert.Equal(expected.OrderBy(p => p.Key.Addr), flows.OrderBy(p => p.Key.Addr));

        // The untyped view sees the same keys as raw bytes.
        var raw = _obj.GetMap("flows").Keys.Select(b => MemoryMarshal.Read<FlowKey>(b)).OrderBy(k => k.Addr);
        Assert.Equal(expected.Keys.OrderBy(k => k.Addr), raw);

        flows.Clear();
        Assert.Equal(0, flows.Count);
        Assert.Empty(flows);
    }

    [Fact]
    public void Enumeration_tolerates_deleting_while_walking()
    {
        _obj.Load();
        var numbers = _obj.GetHashMap<uint, ulong>("numbers");
        for (var i = 0u; i < 1000; i++) numbers[i] = i * 2;

        // Delete every even key as the walk goes (including the one it stands on).
        var seen = new List<uint>();
        foreach (var (key, value) in numbers)
        {
            Assert.Equal(key * 2ul, value);
            seen.Add(key);
            if (key % 2 == 0) numbers.Delete(key);
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (uint)i), seen.Order()); // each key exactly once
        Assert.Equal(500, numbers.Count);
        Assert.All(numbers.Keys, k => Assert.Equal(1u, k % 2));

        // Deleting every key while walking terminates and empties the map, also through the untyped view.
        foreach (var key in _obj.GetMap("numbers").Keys) Assert.True(_obj.GetMap("numbers").Delete(key));
        Assert.Equal(0, numbers.Count);
    }

    [Fact]
    public void Enumeration_tolerates_other_keys_being_deleted_concurrently()
    {
        _obj.Load();
        var numbers = _obj.GetHashMap<uint, ulong>("numbers");
        for (var i = 0u; i < 1000; i++) numbers[i] = i;

        // While the walk runs, "someone else" (as a BPF program would) deletes keys it has not reached yet. Every
        // tenth step that is the key right after the current one in the kernel's order, which the walk has
        // already fetched as its next one: get_next_key on it then restarts from the first key.
        var order = numbers.Keys.ToList();
        var seen = new List<uint>();
        var deleted = new HashSet<uint>();
        foreach (var (key, value) in numbers)
        {
            Assert.Equal(key, value);
            seen.Add(key);
            var at = order.IndexOf(key);
            if (seen.Count % 10 == 0 && at + 1 < order.Count && numbers.Delete(order[at + 1])) deleted.Add(order[at + 1]);
            var far = order[(at + 500) % order.Count];
            if (!seen.Contains(far) && numbers.Delete(far)) deleted.Add(far);
        }
        Assert.NotEmpty(deleted);

        Assert.Equal(seen.Count, seen.Distinct().Count()); // no key twice, restarts or not
        var survivors = Enumerable.Range(0, 1000).Select(i => (uint)i).Where(i => !deleted.Contains(i));
        Assert.Equal(survivors.Order(), seen.Except(deleted).Order()); // every key that stayed, exactly once

        // The key walk (kernels without batch operations, and per-CPU views) gives the same guarantee.
        for (var i = 0u; i < 1000; i++) numbers[i] = i;
        order = [.. _obj.GetMap("numbers").EnumerateKeys<uint>()];
        seen.Clear();
        deleted.Clear();
        // A restart costs a walk over the keys already seen, so fewer of them here (a map churning faster than
        // that is reported, not walked forever: EnumerationAborted).
        foreach (var key in _obj.GetMap("numbers").EnumerateKeys<uint>())
        {
            seen.Add(key);
            var at = order.IndexOf(key);
            if (seen.Count % 200 == 100 && at + 1 < order.Count && numbers.Delete(order[at + 1])) deleted.Add(order[at + 1]);
        }
        Assert.NotEmpty(deleted);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        // (A deleted key may still come out: the walk had fetched it as its next key before it was deleted.)
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (uint)i).Where(i => !deleted.Contains(i)).Order(), seen.Except(deleted).Order());
    }

    [Fact]
    public void Full_hash_map_reports_E2BIG()
    {
        _obj.Load();
        var flows = _obj.GetHashMap<FlowKey, Stats>("flows");
        for (var i = 0u; i < 64; i++) flows[new FlowKey(i, 0, 0)] = default;

        var e = Assert.Throws<BpfException>(() => flows[new FlowKey(64, 0, 0)] = default);

        Assert.Equal(7, e.Errno);
        Assert.Contains("is full (max_entries 64)", e.Message);
    }

    [Fact]
    public void Array_map_indexer_length_and_enumeration()
    {
        _obj.Load();
        var slots = _obj.GetArrayMap<Stats>("slots");

        Assert.Equal(8, slots.Length);
        Assert.All(slots, s => Assert.Equal(default, s)); // the kernel zero-fills arrays
        slots[3] = new Stats(7, 700);
        slots[7] = new Stats(9, 900);

        Assert.Equal(new Stats(7, 700), slots[3]);
        var all = slots.ToArray();
        Assert.Equal(8, all.Length);
        Assert.Equal(new Stats(9, 900), all[7]);
        Assert.Equal(default, all[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => slots[8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => slots[8] = default);

        var e = Assert.Throws<BpfException>(() => slots.Map.Delete(BitConverter.GetBytes(3u)));
        Assert.Contains("cannot be deleted", e.Message);
        Assert.Equal(8, slots.Map.Keys.Count());
    }

    [Fact]
    public void Typed_views_check_sizes_and_map_types()
    {
        _obj.Load();

        var keyMismatch = Assert.Throws<BpfException>(() => _obj.GetHashMap<uint, Stats>("flows"));
        Assert.Contains("8-byte keys and 16-byte values", keyMismatch.Message);
        Assert.Contains("UInt32 (4 bytes)", keyMismatch.Message);
        var valueMismatch = Assert.Throws<BpfException>(() => _obj.GetHashMap<uint, uint>("numbers"));
        Assert.Contains("UInt32 (4 bytes)", valueMismatch.Message);
        Assert.Contains("8-byte values", valueMismatch.Message);
        Assert.Throws<BpfException>(() => _obj.GetArrayMap<ulong>("slots"));

        Assert.Contains("use GetArrayMap", Assert.Throws<BpfException>(() => _obj.GetHashMap<uint, Stats>("slots")).Message);
        Assert.Contains("use GetHashMap", Assert.Throws<BpfException>(() => _obj.GetArrayMap<ulong>("numbers")).Message);

        var unknown = Assert.Throws<KeyNotFoundException>(() => _obj.GetMap("nope"));
        Assert.Contains("'flows'", unknown.Message);
        Assert.Contains("'numbers'", unknown.Message);
    }

    [Fact]
    public void Per_cpu_values_hold_one_aligned_slot_per_possible_CPU()
    {
        _obj.Load();
        var percpu = _obj.GetMap("percpu");
        var possible = PossibleCpus();
        Assert.Equal(4u, percpu.ValueSize);
        Assert.Equal(8 * possible, percpu.ValueBufferSize); // 4-byte values padded to 8 per CPU

        var values = new byte[percpu.ValueBufferSize];
        for (var cpu = 0; cpu < possible; cpu++) BitConverter.TryWriteBytes(values.AsSpan(cpu * 8), (uint)(cpu + 100));
        percpu.Update(BitConverter.GetBytes(1u), values);
        var read = new byte[percpu.ValueBufferSize];
        Assert.True(percpu.TryLookup(BitConverter.GetBytes(1u), read));
        Assert.Equal(values, read);

        Assert.Throws<ArgumentException>(() => percpu.TryLookup(BitConverter.GetBytes(1u), new byte[4]));
        Assert.Contains("per-CPU", Assert.Throws<BpfException>(() => _obj.GetArrayMap<uint>("percpu")).Message);
    }

    private static int PossibleCpus()
    {
        // "0-7" or "0,2-3": count the CPUs in each range.
        var text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
        return text.Split(',').Sum(range => range.Split('-') is [var a, var b] ? int.Parse(b) - int.Parse(a) + 1 : 1);
    }

    [Fact]
    public void Untyped_map_checks_buffer_lengths()
    {
        _obj.Load();
        var numbers = _obj.GetMap("numbers");
        Assert.True(numbers.Fd > 0);
        Assert.Equal(8, numbers.ValueBufferSize);

        numbers.Update(BitConverter.GetBytes(5u), BitConverter.GetBytes(55ul));
        var value = new byte[8];
        Assert.True(numbers.TryLookup(BitConverter.GetBytes(5u), value));
        Assert.Equal(55ul, BitConverter.ToUInt64(value));
        Assert.False(numbers.TryLookup(BitConverter.GetBytes(6u), value));

        Assert.Throws<ArgumentException>(() => numbers.TryLookup(new byte[3], value));
        Assert.Throws<ArgumentException>(() => numbers.TryLookup(new byte[4], new byte[4]));
        Assert.Throws<ArgumentException>(() => numbers.Update(new byte[4], new byte[9]));
        Assert.True(numbers.Delete(BitConverter.GetBytes(5u)));
    }
}
