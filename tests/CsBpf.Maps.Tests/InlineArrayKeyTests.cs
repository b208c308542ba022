using System.Runtime.CompilerServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>
/// Keys holding an <c>[InlineArray]</c> field (BCC's <c>key_t { u32 pid; char comm[16]; }</c> shape): the CLR's
/// default struct equality throws on them, so the CLR models and the host compare keys by their bytes, as the
/// kernel does.
/// </summary>
public sealed class InlineArrayKeyTests
{
    private struct CommKey
    {
        public uint Pid;
        public TaskComm Comm;
    }

    private static CommKey Key(uint pid, string comm)
    {
        CommKey key = default;
        key.Pid = pid;
        System.Text.Encoding.ASCII.GetBytes(comm).CopyTo((Span<byte>)key.Comm);
        return key;
    }

    [Fact]
    public void Clr_hash_maps_accept_keys_with_an_inline_array()
    {
        var map = new HashMap<CommKey, ulong>(maxEntries: 4);
        Assert.Equal(0, map.Update(Key(1, "bash"), 10));
        Assert.Equal(0, map.Update(Key(1, "sh"), 20));
        Assert.Equal(-17, map.Update(Key(1, "bash"), 30, MapUpdateFlags.NoExist)); // EEXIST: equal bytes, equal key
        Assert.True(map.TryGetValue(Key(1, "bash"), out ulong value));
        Assert.Equal(10UL, value);
        ref ulong count = ref map.GetValueRefOrNullRef(Key(1, "sh"));
        Assert.False(Unsafe.IsNullRef(ref count));
        Assert.Equal(0, map.Delete(Key(1, "sh")));
        Assert.False(map.TryGetValue(Key(1, "sh"), out _));

        var lru = new LruHashMap<CommKey, ulong>(maxEntries: 2);
        for (uint pid = 0; pid < 3; pid++) Assert.Equal(0, lru.Update(Key(pid, "x"), pid));
        Assert.False(lru.TryGetValue(Key(0, "x"), out _)); // the least recently used went
        Assert.True(lru.TryGetValue(Key(2, "x"), out _));

        var maps = new HashOfMaps<CommKey, HashMap<uint, ulong>>(maxEntries: 2, inner: new(maxEntries: 1));
        Assert.Equal(0, maps.Set(Key(7, "a"), new HashMap<uint, ulong>(maxEntries: 1)));
        Assert.True(maps.TryGetMap(Key(7, "a"), out _));
    }

    [Fact]
    public unsafe void Host_hash_map_reads_keys_with_an_inline_array_into_a_dictionary()
    {
        KernelEnvironment.Require();
        using var raw = BpfMap.Create(BpfMapType.Hash, keySize: sizeof(CommKey), valueSize: 8, maxEntries: 16);
        var map = raw.AsHashMap<CommKey, ulong>();
        map[Key(1, "bash")] = 10;
        map[Key(2, "sh")] = 20;
        var all = map.ToDictionary();
        Assert.Equal(2, all.Count);
        Assert.Equal(20UL, all[Key(2, "sh")]);
        Assert.Contains(map, e => e.Key.Pid == 1 && e.Key.Comm.ToString() == "bash" && e.Value == 10);
    }
}
