using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>openat results by errno class (switch expression with relational and constant patterns) from a
/// kretprobe on do_sys_openat2, and failures per uid.</summary>
[BpfProgram(License = "GPL")]
public static partial class ErrnoStats
{
    [Map] static readonly ArrayMap<ulong> Results = new(maxEntries: 8);
    [Map] static readonly HashMap<uint, ulong> FailuresByUid = new(maxEntries: 1024);

    static uint Classify(long ret) => ret switch
    {
        >= 0 => 0,
        -2 => 1,          // ENOENT
        -13 => 2,         // EACCES
        -1 => 3,          // EPERM
        -24 or -23 => 4,  // EMFILE, ENFILE
        -17 => 5,         // EEXIST
        -20 or -21 => 6,  // ENOTDIR, EISDIR
        _ => 7,
    };

    [Kretprobe("do_sys_openat2")]
    static int OnOpenReturn(long ret)
    {
        ref ulong n = ref Results.GetValueRefOrNullRef(Classify(ret));
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
        if (ret < 0)
        {
            uint uid = (uint)Bpf.GetCurrentUidGid();
            ref ulong f = ref FailuresByUid.GetValueRefOrNullRef(uid);
            if (Unsafe.IsNullRef(ref f)) FailuresByUid.Update(uid, 1, MapUpdateFlags.NoExist);
            else Interlocked.Increment(ref f);
        }
        return 0;
    }
}
