using System.Runtime.InteropServices;
using CsBpf.TestSupport;

namespace CsBpf.Runtime.Tests;

/// <summary>Host access to global variables (Fixtures/globals.bpf.c): .rodata before load, .data/.bss live.</summary>
public sealed class GlobalsTests : IDisposable
{
    // The layouts clang-19 gives the sections (llvm-readelf -s globals.bpf.o): not declaration order.

    /// <summary>.rodata: multiplier @0, enabled @8, rodata_marker @12.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Config
    {
        public ulong Multiplier;
        public uint Enabled;
        public uint Marker;
    }

    /// <summary>.data: data_value @0, data_second @8.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public ulong Value;
        public ulong Second;
    }

    /// <summary>.bss: ticks @0, counter @8.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Bss
    {
        public ulong Ticks;
        public ulong Counter;
    }

    private readonly BpfObject _obj;

    public GlobalsTests()
    {
        KernelEnvironment.Require();
        _obj = BpfObject.Open(BpfFixtures.Compile("globals"), "globals");
    }

    public void Dispose() => _obj.Dispose();

    [Fact]
    public void Rodata_is_configured_before_load_and_read_only_after()
    {
        var config = _obj.GetGlobals<Config>(".rodata");
        Assert.Equal(1ul, config.ReadOnlyValue.Multiplier); // the ELF's initial values
        Assert.Equal(0u, config.ReadOnlyValue.Enabled);
        Assert.Equal(0xC0FFEEu, config.ReadOnlyValue.Marker);
        Assert.False(config.IsReadOnly);

        config.Value.Multiplier = 5;
        config.Value.Enabled = 1;
        _obj.Load();

        Assert.Equal(5, Tick()); // counter += multiplier, enabled
        Assert.Equal(10, Tick());
        Assert.True(config.IsReadOnly);
        Assert.Equal(5ul, config.ReadOnlyValue.Multiplier); // the live (frozen) map
        Assert.Equal(0xC0FFEEu, config.ReadOnlyValue.Marker);
        var e = Assert.Throws<InvalidOperationException>(() => config.Value.Multiplier = 6);
        Assert.Contains("froze map", e.Message);
    }

    [Fact]
    public void Data_and_bss_are_live_memory_shared_with_the_running_program()
    {
        var data = _obj.GetGlobals<Data>("data"); // the leading dot is optional
        Assert.Equal(42ul, data.ReadOnlyValue.Value);
        data.Value.Second = 99; // before load: changes the initial value
        _obj.Load();
        var bss = _obj.GetGlobals<Bss>(".bss");

        Assert.Equal(0, Tick()); // .rodata enabled = 0: the counter does not move
        Assert.Equal(1ul, bss.ReadOnlyValue.Ticks);
        Assert.Equal(43ul, data.ReadOnlyValue.Value);
        Assert.Equal(99ul, data.ReadOnlyValue.Second);

        // Host writes are seen by the program, program writes by the host, without system calls.
        data.Value.Value = 1000;
        bss.Value.Ticks = 500;
        Tick();
        Assert.Equal(1001ul, data.Value.Value);
        Assert.Equal(501ul, bss.Value.Ticks);
        Assert.False(data.IsReadOnly);

        // The same memory through the array-map view (one element: the whole section).
        Assert.Equal(501ul, _obj.GetArrayMap<Bss>(bss.Map.Name)[0].Ticks);
    }

    [Fact]
    public void Bss_values_set_before_load_are_uploaded()
    {
        // libbpf 1.1 skips .bss when populating maps; the runtime writes a non-zero image itself.
        var bss = _obj.GetGlobals<Bss>(".bss");
        bss.Value.Ticks = 41;
        _obj.Load();

        Tick();

        Assert.Equal(42ul, bss.ReadOnlyValue.Ticks);
    }

    [Fact]
    public void Sections_and_sizes_are_checked()
    {
        var missing = Assert.Throws<KeyNotFoundException>(() => _obj.GetGlobals<Bss>(".data.nope"));
        Assert.Contains("'.rodata'", missing.Message);
        Assert.Contains("'.bss'", missing.Message);

        var size = Assert.Throws<BpfException>(() => _obj.GetGlobals<ulong>(".bss"));
        Assert.Contains("has 16 bytes, but UInt64 has 8", size.Message);

        var bss = _obj.GetGlobals<Bss>(".bss");
        _obj.Dispose();
        Assert.Throws<ObjectDisposedException>(() => bss.ReadOnlyValue.Ticks);
    }

    [Fact]
    public void Single_globals_are_found_by_name_in_the_BTF_whatever_the_section_layout()
    {
        var multiplier = _obj.GetGlobal<ulong>("multiplier");
        var enabled = _obj.GetGlobal<uint>("enabled");
        var marker = _obj.GetGlobal<uint>("rodata_marker");
        Assert.Equal(".rodata", multiplier.Section);
        Assert.Equal(0xC0FFEEu, marker.Value); // the ELF's initial value, at the offset clang chose
        multiplier.Value = 7;
        enabled.Value = 1;
        var ticks = _obj.GetGlobal<ulong>("ticks");
        ticks.Value = 10; // .bss before load: uploaded at load
        _obj.Load();

        Assert.Equal(7, Tick());
        Assert.Equal(14, Tick());
        Assert.Equal(12ul, ticks.Value);
        Assert.Equal(14ul, _obj.GetGlobal<ulong>("counter").Value);
        var data = _obj.GetGlobal<ulong>("data_value");
        data.Value = 100; // live: the next run sees it
        Tick();
        Assert.Equal(101ul, data.Value);
        Assert.Equal(7ul, multiplier.Value); // .rodata stays readable
        Assert.True(multiplier.IsReadOnly);
        Assert.Contains("froze", Assert.Throws<InvalidOperationException>(() => multiplier.Value = 8).Message);

        var wrongSize = Assert.Throws<BpfException>(() => _obj.GetGlobal<uint>("counter"));
        Assert.Contains("has 8 bytes (.bss), but UInt32 has 4", wrongSize.Message);
        var missing = Assert.Throws<KeyNotFoundException>(() => _obj.GetGlobal<ulong>("nope"));
        Assert.Contains("'data_second'", missing.Message);
        Assert.Contains("'rodata_marker'", missing.Message);
    }

    private int Tick()
    {
        byte context = 0;
        return _obj.GetProgram("tick").TestRun(ref context).ReturnValue;
    }
}
