using System.Runtime.CompilerServices;

namespace CsBpf.Maps.Tests;

/// <summary>The program-side map classes on the CLR, where their behaviour is exactly specified (the kernel tests
/// compare them with the kernel where the kernel's behaviour is deterministic).</summary>
public sealed class ClrModelTests
{
    private struct Record
    {
        public ulong Seq;
    }

    [Fact]
    public void Ring_buffer_records_wait_for_earlier_pending_reservations_and_discards_free_space()
    {
        var ring = new RingBuffer(4096);
        ref Record first = ref ring.Reserve<Record>();
        ref Record second = ref ring.Reserve<Record>();
        first.Seq = 1;
        second.Seq = 2;
        ring.Submit(ref second);
        Assert.False(ring.TryRead(out _)); // the first reservation is still busy: the reader stops there
        Assert.Equal(32UL, ring.Query(RingBufferQuery.AvailableData));
        ring.Discard(ref first);
        Assert.True(ring.TryRead(out byte[] record));
        Assert.Equal(2UL, BitConverter.ToUInt64(record));
        Assert.False(ring.TryRead(out _));
        Assert.Equal(0UL, ring.Query(RingBufferQuery.AvailableData));
        Assert.Equal(32UL, ring.Query(RingBufferQuery.ConsumerPosition));
        bool threw = false;
        try { ring.Submit(ref second); } // already submitted
        catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RingBuffer(3000));
    }

    [Fact]
    public void Ring_buffer_output_fails_with_EAGAIN_when_full()
    {
        var ring = new RingBuffer(4096);
        int written = 0;
        while (ring.Output(new Record { Seq = (ulong)written }) == 0) written++;
        Assert.Equal(255, written); // 16-byte records, at most size - 1 bytes ahead of the reader
        Assert.Equal(-11, ring.Output(new Record()));
        Assert.True(Unsafe.IsNullRef(ref ring.Reserve<Record>()));
    }

    [Fact]
    public void Lru_evicts_the_least_recently_used_and_lookups_count_as_use()
    {
        var lru = new LruHashMap<uint, ulong>(3);
        lru.Update(1, 10);
        lru.Update(2, 20);
        lru.Update(3, 30);
        Assert.True(lru.TryGetValue(1, out _)); // 1 is now the most recently used; 2 the least
        Assert.Equal(0, lru.Update(4, 40));
        Assert.False(lru.TryGetValue(2, out _));
        Assert.Equal(3, lru.Count);
        Assert.Equal(-17, lru.Update(1, 11, MapUpdateFlags.NoExist));
        Assert.Equal(-2, lru.Update(9, 1, MapUpdateFlags.Exist));
    }

    [Fact]
    public void Lpm_ignores_bits_after_the_prefix_and_refuses_over_long_prefixes()
    {
        var trie = new LpmTrieMap<uint, int>(2);
        Assert.Equal(0, trie.Update(new LpmKey<uint>(8, 0x0000000A), 1));       // 10.0.0.0/8
        Assert.Equal(0, trie.Update(new LpmKey<uint>(8, 0xFFFFFF0A), 2));       // 10.255.255.255/8: the same prefix
        Assert.True(trie.TryGetValue(new LpmKey<uint>(32, 0x0302010A), out int v)); // 10.1.2.3
        Assert.Equal(2, v);
        Assert.Equal(-22, trie.Update(new LpmKey<uint>(33, 0), 1));
        Assert.Equal(0, trie.Update(new LpmKey<uint>(0, 0), 9));
        Assert.Equal(-28, trie.Update(new LpmKey<uint>(16, 0x0000A8C0), 3));   // full: -ENOSPC
        Assert.True(trie.TryGetValue(new LpmKey<uint>(32, 0x08080808), out v));
        Assert.Equal(9, v);
        Assert.Equal(-2, trie.Delete(new LpmKey<uint>(16, 0x0000000A)));
    }

    [Fact]
    public void Per_cpu_maps_keep_one_value_per_cpu()
    {
        var map = new PerCpuHashMap<uint, ulong>(4);
        Assert.Equal(0, map.Update(1, 5));
        ulong[] all = map.GetAllCpuValues(1)!;
        Assert.Equal(Environment.ProcessorCount, all.Length);
        Assert.Equal(1, all.Count(v => v == 5));
        Assert.Equal(all.Length - 1, all.Count(v => v == 0));
        Assert.Null(map.GetAllCpuValues(2));
        var array = new PerCpuArrayMap<ulong>(2);
        Assert.Equal(-7, array.Update(2, 1));
        Assert.Equal(-17, array.Update(0, 1, MapUpdateFlags.NoExist));
    }

    [Fact]
    public void Queues_and_stacks_order_and_bound_their_values()
    {
        var queue = new QueueMap<int>(2);
        var stack = new StackMap<int>(2);
        foreach (int v in new[] { 1, 2 }) { queue.Push(v); stack.Push(v); }
        Assert.Equal(-7, queue.Push(3));
        Assert.Equal(0, queue.Push(3, MapUpdateFlags.Exist));
        Assert.Equal(0, stack.Push(3, MapUpdateFlags.Exist));
        Assert.True(queue.TryPop(out int q) && q == 2);
        Assert.True(stack.TryPop(out int s) && s == 3);
        Assert.True(stack.TryPeek(out s) && s == 2);
        Assert.True(stack.TryPop(out _));
        Assert.False(stack.TryPop(out s));
        Assert.Equal(0, s);
    }

    [Fact]
    public void Tail_calls_on_the_CLR_stop_after_33_jumps_and_empty_slots_fall_through()
    {
        var programs = new ProgramArray(2);
        int runs = 0;
        programs.Set<TracepointContext>(0, ctx => { runs++; programs.TailCall(ctx, 0); return runs; });
        Assert.Equal(33, ProgramArray.Run<TracepointContext>(ctx => { programs.TailCall(ctx, 0); return -1; }, default));
        Assert.Equal(-1, ProgramArray.Run<TracepointContext>(ctx => { programs.TailCall(ctx, 1); return -1; }, default));
        Assert.Equal(-1, ProgramArray.Run<TracepointContext>(ctx => { programs.TailCall(ctx, 7); return -1; }, default));
    }

    [Fact]
    public void Hash_map_references_stay_valid_while_the_map_grows()
    {
        var map = new HashMap<uint, ulong>(1000);
        map.Update(0, 1);
        ref ulong first = ref map.GetValueRefOrNullRef(0);
        for (uint k = 1; k < 1000; k++) Assert.Equal(0, map.Update(k, k));
        first += 41; // a map value pointer stays valid while its element exists
        Assert.True(map.TryGetValue(0, out ulong v));
        Assert.Equal(42UL, v);
        Assert.Equal(-7, map.Update(5000, 1));
        Assert.Equal(-22, map.Update(1, 1, (MapUpdateFlags)4));
        Assert.Equal(-22, new ArrayMap<ulong>(1).Update(0, 1, (MapUpdateFlags)4));
    }

    [Fact]
    public void Stack_ids_are_stable_for_the_same_call_path()
    {
        var stacks = new StackTraceMap(1024, maxDepth: 32);
        var ids = new long[2];
        for (int i = 0; i < ids.Length; i++) ids[i] = stacks.GetStackId(default(TracepointContext)); // one call site
        long a = ids[0], b = ids[1];
        Assert.True(a >= 0);
        Assert.Equal(a, b);
        Assert.True(stacks.TryGetFrames((uint)a, out ulong[] frames));
        Assert.Equal(32, frames.Length);
        Assert.NotEqual(0UL, frames[0]);
    }
}
