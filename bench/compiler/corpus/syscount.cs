using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

/// <summary>
/// syscount: system calls by number and by process, from a kprobe on the x86-64 syscall dispatcher
/// (<c>long x64_sys_call(const struct pt_regs *regs, unsigned int nr)</c>).
/// </summary>
[BpfProgram(License = "GPL")]
public static partial class SysCount
{
    [Map] static readonly ArrayMap<ulong> BySyscall = new(maxEntries: 512);
    [Map] static readonly HashMap<uint, ulong> ByProcess = new(maxEntries: 10240);

    [Kprobe("x64_sys_call")]
    static int OnSyscall(nuint regs, uint nr)
    {
        ref ulong n = ref BySyscall.GetValueRefOrNullRef(nr);
        if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);

        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref ulong p = ref ByProcess.GetValueRefOrNullRef(pid);
        if (Unsafe.IsNullRef(ref p)) ByProcess.Update(pid, 1, MapUpdateFlags.NoExist);
        else Interlocked.Increment(ref p);
        return 0;
    }
}
