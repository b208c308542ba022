using System.Reflection;
using System.Runtime.InteropServices;
using CsBpf.Runtime;

namespace CsBpf.Maps.Tests;

/// <summary>
/// Runs a C# BPF method <c>static long Body(ref Args a)</c> (syscall harness) or
/// <c>static long Body(ref Args a, TracepointContext ctx)</c> (tracepoint harness) in the kernel and, for
/// comparison, the same source on the CLR. The caller's source declares <c>public struct Args</c>, the maps and
/// <c>Body</c>; the harness adds the program that calls it:
/// <list type="bullet">
/// <item>syscall: a <c>[Syscall]</c> program run with <c>BPF_PROG_TEST_RUN</c> (sleepable: array, hash, ring
/// buffer, queue/stack and map-of-maps only);</item>
/// <item>tracepoint: a program on <c>syscalls/sys_enter_getppid</c> that acts only for the calling thread, exchanging
/// <c>Args</c> through a map, for the map kinds sleepable programs may not use.</item>
/// </list>
/// <c>Body</c>'s result lands in the <c>HarnessResult</c> array map (programs that end in a tail call write it
/// themselves).
/// </summary>
/// <typeparam name="TArgs">The host's copy of <c>Args</c>, with the same layout.</typeparam>
internal sealed class MapHarness<TArgs> : IDisposable
    where TArgs : unmanaged
{
    /// <summary>What <c>HarnessResult</c> holds before a run: a run that leaves it means the program did not get there.</summary>
    public const long NotRun = long.MinValue;

    private readonly bool _tracepoint;
    private readonly string _source;
    private BpfLink? _link;
    private Assembly? _clr;

    private MapHarness(string source, bool tracepoint, string name)
    {
        _source = source;
        _tracepoint = tracepoint;
        Object = MapPrograms.Load(source, name);
        try
        {
            if (tracepoint) _link = Object.GetProgram("HarnessEntry").AttachTracepoint("syscalls", "sys_enter_getppid");
        }
        catch
        {
            Object.Dispose();
            throw;
        }
    }

    /// <summary>The loaded object.</summary>
    public BpfObject Object { get; }

    /// <summary>The full source (the caller's members inside the harness class).</summary>
    public string Source => _source;

    public static MapHarness<TArgs> Syscall(string members, string name = "harness") =>
        new(Wrap(members, """
                [Syscall]
                static int HarnessEntry(ref Args a)
                {
                    long r = Body(ref a);
                    HarnessResult.Update(0, r);
                    return 0;
                }
            """), tracepoint: false, name);

    public static MapHarness<TArgs> Tracepoint(string members, string name = "harness") =>
        new(Wrap(members, """
                [Map] static readonly ArrayMap<Args> HarnessArgs = new(maxEntries: 1);
                [Map] static readonly ArrayMap<uint> HarnessTid = new(maxEntries: 1);

                [Tracepoint("syscalls", "sys_enter_getppid")]
                static int HarnessEntry(TracepointContext ctx)
                {
                    ref uint tid = ref HarnessTid.GetValueRefOrNullRef(0);
                    if (Unsafe.IsNullRef(ref tid) || tid != (uint)Bpf.GetCurrentPidTgid()) return 0;
                    ref Args a = ref HarnessArgs.GetValueRefOrNullRef(0);
                    if (Unsafe.IsNullRef(ref a)) return 0;
                    long r = Body(ref a, ctx);
                    HarnessResult.Update(0, r);
                    return 0;
                }
            """), tracepoint: true, name);

    private static string Wrap(string members, string entry) => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using CsBpf;

        [BpfProgram(License = "GPL")]
        public static partial class P
        {
            [Map] public static readonly ArrayMap<long> HarnessResult = new(maxEntries: 1);

        {{entry}}

        {{members}}
        }
        """;

    /// <summary>Runs <c>Body</c> once in the kernel with <paramref name="args"/> (updated with what it wrote); returns its result.</summary>
    public long Run(ref TArgs args)
    {
        var result = Object.GetArrayMap<long>("HarnessResult");
        result[0] = NotRun;
        if (_tracepoint)
        {
            var exchange = Object.GetArrayMap<TArgs>("HarnessArgs");
            var tid = Object.GetArrayMap<uint>("HarnessTid");
            exchange[0] = args;
            tid[0] = (uint)Native.gettid();
            Native.getppid();
            tid[0] = 0;
            args = exchange[0];
        }
        else
        {
            var run = Object.GetProgram("HarnessEntry").TestRun(ref args);
            Assert.Equal(0, run.ReturnValue);
        }
        return result[0];
    }

    /// <summary>Runs <c>Body</c> once on the CLR (its maps are the CLR models; state persists between calls).</summary>
    public long RunOnClr(ref TArgs args)
    {
        _clr ??= MapPrograms.LoadOnClr(_source);
        Type p = _clr.GetType("P")!;
        Type argsType = p.GetNestedType("Args")!;
        MethodInfo body = p.GetMethod("Body", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!;
        Assert.Equal(Marshal.SizeOf<TArgs>(), Marshal.SizeOf(argsType));
        object boxed = ToClr(args, argsType);
        object?[] parameters = _tracepoint ? [boxed, default(TracepointContext)] : [boxed];
        long r = (long)body.Invoke(null, parameters)!;
        args = FromClr(parameters[0]!);
        return r;
    }

    /// <summary>A static field of the CLR copy of the class (e.g. a map, to set up what the host does in the kernel).</summary>
    public object ClrField(string name)
    {
        _clr ??= MapPrograms.LoadOnClr(_source);
        return _clr.GetType("P")!.GetField(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }

    private static unsafe object ToClr(TArgs value, Type type) => Marshal.PtrToStructure((nint)(&value), type)!;

    private static unsafe TArgs FromClr(object value)
    {
        TArgs result = default;
        Marshal.StructureToPtr(value, (nint)(&result), fDeleteOld: false);
        return result;
    }

    public void Dispose()
    {
        _link?.Dispose();
        Object.Dispose();
    }
}
