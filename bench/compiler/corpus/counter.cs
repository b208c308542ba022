using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>The minimal program: one global counter of openat() calls in a one-element array.</summary>
[BpfProgram(License = "GPL")]
public static partial class Counter
{
    [Map] static readonly ArrayMap<ulong> Total = new(maxEntries: 1);

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(TracepointContext ctx)
    {
        ref ulong n = ref Total.GetValueRefOrNullRef(0);
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
        return 0;
    }
}
