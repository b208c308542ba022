using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>
/// Arrays and hashes of maps: the host creates inner maps and puts them in the outer map; BPF code looks them up
/// with TryGetMap and uses them with their own methods (reads what the host wrote, writes what the host reads).
/// </summary>
public sealed class MapOfMapsTests : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Op;
        public uint Slot;
        public uint Key;
        public uint Pad;
        public ulong Value;
        public ulong Out;
    }

    private const string Members = """
        public struct Args { public uint Op; public uint Slot; public uint Key; public uint Pad; public ulong Value; public ulong Out; }

        [Map] static readonly ArrayOfMaps<HashMap<uint, ulong>> Tenants = new(maxEntries: 4, inner: new(maxEntries: 16));
        [Map] static readonly HashOfMaps<uint, ArrayMap<ulong>> ByCgroup = new(maxEntries: 8, inner: new(maxEntries: 4));

        static long Body(ref Args a)
        {
            switch (a.Op)
            {
                case 0:
                {
                    if (!Tenants.TryGetMap(a.Slot, out var tenant)) return -2;
                    return tenant.Update(a.Key, a.Value);
                }
                case 1:
                {
                    if (!Tenants.TryGetMap(a.Slot, out var tenant)) return -2;
                    ref ulong v = ref tenant.GetValueRefOrNullRef(a.Key);
                    if (Unsafe.IsNullRef(ref v)) return -3;
                    a.Out = v;
                    return 0;
                }
                case 2:
                {
                    if (!ByCgroup.TryGetMap(a.Slot, out var counters)) return -2;
                    return counters.Update(a.Key, a.Value);
                }
                case 3:
                {
                    if (!ByCgroup.TryGetMap(a.Slot, out var counters)) return -2;
                    return counters.TryGetValue(a.Key, out a.Out) ? 0 : -3;
                }
                default: return -22;
            }
        }
        """;

    private readonly MapHarness<Args> _harness;

    public MapOfMapsTests()
    {
        KernelEnvironment.Require();
        _harness = MapHarness<Args>.Syscall(Members, "mapofmaps");
    }

    public void Dispose() => _harness.Dispose();

    private long Run(uint op, uint slot, uint key, ulong value, out ulong output)
    {
        var a = new Args { Op = op, Slot = slot, Key = key, Value = value };
        long r = _harness.Run(ref a);
        output = a.Out;
        return r;
    }

    [Fact]
    public void Array_of_maps_inner_maps_set_by_the_host_are_used_by_BPF_both_ways()
    {
        var outer = _harness.Object.GetArrayOfMaps("Tenants");
        Assert.Equal(4, outer.Length);
        Assert.Equal(-2, Run(0, 1, 5, 50, out _)); // empty slot

        using var inner = BpfMap.Create(BpfMapType.Hash, keySize: 4, valueSize: 8, maxEntries: 16, name: "tenant1");
        var typed = inner.AsHashMap<uint, ulong>();
        typed[3] = 300;
        outer.Set(1, inner);
        Assert.True(outer.TryGetInnerMapId(1, out uint id));
        Assert.Equal(inner.Id, id);

        Assert.Equal(0, Run(1, 1, 3, 0, out ulong read)); // BPF reads what the host wrote
        Assert.Equal(300UL, read);
        Assert.Equal(0, Run(0, 1, 5, 500, out _)); // BPF writes, the host reads
        Assert.Equal(500UL, typed[5]);
        using (var reopened = outer.OpenInnerMap(1)!)
            Assert.Equal(500UL, reopened.AsHashMap<uint, ulong>()[5]);

        Assert.True(outer.Clear(1));
        Assert.Equal(-2, Run(1, 1, 3, 0, out _));
        Assert.Null(outer.OpenInnerMap(1));
    }

    [Fact]
    public void Hash_of_maps_both_ways_and_a_mismatched_inner_map_is_refused()
    {
        var outer = _harness.Object.GetHashOfMaps<uint>("ByCgroup");
        using var inner = BpfMap.Create(BpfMapType.Array, keySize: 4, valueSize: 8, maxEntries: 4);
        var counters = inner.AsArrayMap<ulong>();
        counters[2] = 22;
        outer.Set(77, inner);
        Assert.Equal(new uint[] { 77 }, outer.Keys);

        Assert.Equal(0, Run(3, 77, 2, 0, out ulong read));
        Assert.Equal(22UL, read);
        Assert.Equal(0, Run(2, 77, 1, 11, out _));
        Assert.Equal(11UL, counters[1]);
        Assert.Equal(-2, Run(3, 78, 1, 0, out _));

        using var wrong = BpfMap.Create(BpfMapType.Array, keySize: 4, valueSize: 4, maxEntries: 4);
        var error = Assert.Throws<BpfException>(() => outer.Set(78, wrong));
        Assert.Equal(22, error.Errno); // EINVAL: not the inner template's shape
        Assert.True(outer.Remove(77));
        Assert.Equal(-2, Run(3, 77, 2, 0, out _));
    }

    [Fact]
    public void The_CLR_model_uses_the_inner_maps_the_same_way()
    {
        var tenants = (ArrayOfMaps<HashMap<uint, ulong>>)_harness.ClrField("Tenants");
        var clrInner = new HashMap<uint, ulong>(16);
        tenants.Set(2, clrInner);
        using var inner = BpfMap.Create(BpfMapType.Hash, 4, 8, 16);
        _harness.Object.GetArrayOfMaps("Tenants").Set(2, inner);

        foreach (var (op, slot, key, value) in new (uint, uint, uint, ulong)[] { (1, 2, 1, 0), (0, 2, 1, 10), (1, 2, 1, 0), (0, 3, 1, 1), (1, 0, 1, 0), (9, 0, 0, 0) })
        {
            var kernel = new Args { Op = op, Slot = slot, Key = key, Value = value };
            var clr = kernel;
            long kr = _harness.Run(ref kernel);
            long cr = _harness.RunOnClr(ref clr);
            Assert.True(kr == cr && kernel.Equals(clr), $"op {op} slot {slot}: kernel {kr}/{kernel.Out}, CLR {cr}/{clr.Out}");
        }
        Assert.True(clrInner.TryGetValue(1, out ulong clrValue));
        Assert.Equal(clrValue, inner.AsHashMap<uint, ulong>()[1]);
    }
}
