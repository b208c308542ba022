using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public struct TcpTraffic
{
    public ulong SentBytes;
    public ulong RecvBytes;
    public ulong SendCalls;
    public ulong RecvCalls;
}

/// <summary>tcptop: TCP bytes sent and received per process, from kprobes on tcp_sendmsg(sk, msg, size)
/// and tcp_cleanup_rbuf(sk, copied), through a shared accounting function.</summary>
[BpfProgram(License = "GPL")]
public static partial class TcpTop
{
    [Map] static readonly HashMap<uint, TcpTraffic> Traffic = new(maxEntries: 10240);

    static void Account(ulong bytes, bool send)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref TcpTraffic t = ref Traffic.GetValueRefOrNullRef(pid);
        if (Unsafe.IsNullRef(ref t))
        {
            TcpTraffic fresh = default;
            if (send)
            {
                fresh.SentBytes = bytes;
                fresh.SendCalls = 1;
            }
            else
            {
                fresh.RecvBytes = bytes;
                fresh.RecvCalls = 1;
            }
            Traffic.Update(pid, fresh, MapUpdateFlags.NoExist);
            return;
        }
        if (send)
        {
            Interlocked.Add(ref t.SentBytes, bytes);
            Interlocked.Increment(ref t.SendCalls);
        }
        else
        {
            Interlocked.Add(ref t.RecvBytes, bytes);
            Interlocked.Increment(ref t.RecvCalls);
        }
    }

    [Kprobe("tcp_sendmsg")]
    static int OnSend(nuint sk, nuint msg, ulong size)
    {
        Account(size, true);
        return 0;
    }

    [Kprobe("tcp_cleanup_rbuf")]
    static int OnRecv(nuint sk, int copied)
    {
        if (copied <= 0) return 0;
        Account((ulong)copied, false);
        return 0;
    }
}
