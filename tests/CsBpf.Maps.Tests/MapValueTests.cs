using System.Runtime.InteropServices;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>Maps as values: a [Map] field assigned to a local or passed to a method is the map pointer, so shared
/// helper methods can work on whichever map they are given.</summary>
public sealed class MapValueTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Key;
        public uint Which;
    }

    [Fact]
    public void Maps_passed_to_methods_and_held_in_locals_are_the_maps()
    {
        KernelEnvironment.Require();
        using var harness = MapHarness<Args>.Syscall("""
            public struct Args { public uint Key; public uint Which; }
            [Map] static readonly HashMap<uint, ulong> Reads = new(maxEntries: 8);
            [Map] static readonly HashMap<uint, ulong> Writes = new(maxEntries: 8);
            [Map] static readonly ArrayMap<ulong> Totals = new(maxEntries: 2);

            static long Count(HashMap<uint, ulong> counts, uint key)
            {
                ref ulong n = ref counts.GetValueRefOrNullRef(key);
                if (Unsafe.IsNullRef(ref n)) return counts.Update(key, 1);
                n += 1;
                return 0;
            }

            static long Body(ref Args a)
            {
                var target = a.Which == 0 ? Reads : Writes;
                long r = Count(target, a.Key);
                if (r != 0) return r;
                // A receiver spilled because a later argument branches.
                Totals.Update(a.Which, a.Which == 0 ? 10UL : 20UL);
                return Count(Writes, 100);
            }
            """, "mapvalues");
        foreach (var (key, which) in new[] { (1u, 0u), (1u, 0u), (2u, 1u), (1u, 1u) })
        {
            var a = new Args { Key = key, Which = which };
            var c = a;
            Assert.Equal(0, harness.Run(ref a));
            Assert.Equal(0, harness.RunOnClr(ref c));
        }
        Assert.Equal(new Dictionary<uint, ulong> { [1] = 2 }, harness.Object.GetHashMap<uint, ulong>("Reads").ToDictionary());
        Assert.Equal(new Dictionary<uint, ulong> { [2] = 1, [1] = 1, [100] = 4 }, harness.Object.GetHashMap<uint, ulong>("Writes").ToDictionary());
        Assert.Equal(new ulong[] { 10, 20 }, harness.Object.GetArrayMap<ulong>("Totals").ToArray());
        var clrWrites = (HashMap<uint, ulong>)harness.ClrField("Writes");
        Assert.True(clrWrites.TryGetValue(100, out ulong clrCount));
        Assert.Equal(4UL, clrCount);
    }
}
