using System.Runtime.InteropServices;
using CsBpf.Runtime;
using CsBpf.TestSupport;

namespace CsBpf.Maps.Tests;

/// <summary>[Map(Flags, NumaNode, Pinning)] reach the kernel: the created maps carry the flags, and maps pinned by
/// name are shared between objects (and across loads).</summary>
public sealed class MapOptionsTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public uint Key;
        public uint Write;
        public ulong Value;
    }

    [Fact]
    public void Flags_and_numa_node_are_applied_at_creation()
    {
        KernelEnvironment.Require();
        using var obj = MapPrograms.Load("""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                public struct Args { public uint Key; }
                [Map(Flags = MapFlags.NoPrealloc | MapFlags.ZeroSeed)] static readonly HashMap<uint, ulong> Sparse = new(maxEntries: 1024);
                [Map(Flags = MapFlags.Mmapable, NumaNode = 0)] static readonly ArrayMap<ulong> Shared = new(maxEntries: 64);
                [Map(Flags = MapFlags.NoCommonLru)] static readonly LruHashMap<uint, ulong> PerCpuLru = new(maxEntries: 64);
                [Map(Flags = MapFlags.ReadOnlyProgram)] static readonly ArrayMap<ulong> Config = new(maxEntries: 1);
                [Map] static readonly LpmTrieMap<uint, ulong> Routes = new(maxEntries: 8);
                [Syscall] static int Run(ref Args a) { Sparse.Update(a.Key, 1); Shared.Update(0, 1); PerCpuLru.Update(a.Key, 1); return Config.TryGetValue(0, out ulong c) ? (int)c : 0; }
            }
            """);
        Assert.Equal((uint)(MapFlags.NoPrealloc | MapFlags.ZeroSeed), obj.GetMap("Sparse").Flags);
        Assert.Equal((uint)(MapFlags.Mmapable | MapFlags.NumaNode), obj.GetMap("Shared").Flags);
        Assert.True(obj.GetArrayMap<ulong>("Shared").IsMmapable);
        Assert.Equal((uint)MapFlags.NoCommonLru, obj.GetMap("PerCpuLru").Flags);
        Assert.Equal((uint)MapFlags.NoPrealloc, obj.GetMap("Routes").Flags); // added by the compiler: LPM tries need it
        Assert.Equal((uint)MapFlags.ReadOnlyProgram, obj.GetMap("Config").Flags);

        // The mmapable array is the same memory the program writes.
        var args = new P.Args { Key = 3 };
        obj.GetProgram("Run").TestRun(ref args);
        Assert.Equal(1UL, obj.GetArrayMap<ulong>("Shared").AsSpan()[0]);
    }

    [Fact]
    public void Maps_pinned_by_name_are_shared_between_objects()
    {
        KernelEnvironment.Require();
        string name = $"CsBpfPin_{Environment.ProcessId}_{Random.Shared.Next(100000)}";
        string pin = "/sys/fs/bpf/" + name;
        string source = $$"""
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                public struct Args { public uint Key; public uint Write; public ulong Value; }
                [Map(Pinning = MapPinning.ByName)] static readonly HashMap<uint, ulong> {{name}} = new(maxEntries: 16);
                [Syscall]
                static int Run(ref Args a)
                {
                    if (a.Write != 0) {{name}}.Update(a.Key, a.Value);
                    else {{name}}.TryGetValue(a.Key, out a.Value);
                    return 0;
                }
            }
            """;
        try
        {
            using (var first = MapPrograms.Load(source, "pin1"))
            {
                Assert.Equal(pin, first.GetMap(name).LoadPinPath);
                Assert.True(first.GetMap(name).IsPinnedByLoad);
                Assert.True(File.Exists(pin));
                var write = new Args { Key = 5, Write = 1, Value = 555 };
                first.GetProgram("Run").TestRun(ref write);
            }
            // The first object is gone; its map lives on in the pin, and the next object reuses it.
            using var second = MapPrograms.Load(source, "pin2");
            Assert.True(second.GetMap(name).IsPinnedByLoad);
            var read = new Args { Key = 5 };
            second.GetProgram("Run").TestRun(ref read);
            Assert.Equal(555UL, read.Value);
            Assert.Equal(555UL, second.GetHashMap<uint, ulong>(name)[5]);
            using var opened = BpfHashMap<uint, ulong>.OpenPinned(pin);
            Assert.Equal(555UL, opened[5]);
        }
        finally
        {
            File.Delete(pin);
        }
    }

    [Fact]
    public void A_pin_path_set_before_load_pins_any_map_there()
    {
        KernelEnvironment.Require();
        string pin = $"/sys/fs/bpf/csbpf_pinpath_{Environment.ProcessId}_{Random.Shared.Next(100000)}";
        string source = """
            using CsBpf;
            [BpfProgram(License = "GPL")]
            public static partial class P
            {
                public struct Args { public uint Key; }
                [Map] static readonly ArrayMap<ulong> Totals = new(maxEntries: 4);
                [Syscall] static int Run(ref Args a) { Totals.Update(a.Key, 7); return 0; }
            }
            """;
        try
        {
            using (var first = MapPrograms.Open(source, "pinpath1"))
            {
                Assert.Null(first.GetMap("Totals").LoadPinPath);
                first.GetMap("Totals").LoadPinPath = pin;
                first.Load();
                Assert.Throws<InvalidOperationException>(() => first.GetMap("Totals").LoadPinPath = null);
                var args = new Args { Key = 2 };
                first.GetProgram("Run").TestRun(ref args);
            }
            using var second = MapPrograms.Open(source, "pinpath2");
            second.GetMap("Totals").LoadPinPath = pin;
            second.Load();
            Assert.Equal(7UL, second.GetArrayMap<ulong>("Totals")[2]);
        }
        finally
        {
            File.Delete(pin);
        }
    }

    private static class P
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct Args
        {
            public uint Key;
        }
    }
}
