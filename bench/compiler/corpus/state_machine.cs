using System.Runtime.CompilerServices;
using System.Threading;
using CsBpf;

namespace Bench;

public enum ConnState : uint { Closed = 0, SynSent = 1, Established = 2, FinWait = 3, TimeWait = 4, Invalid = 255 }

public enum ConnEvent : uint { Connect = 0, SynAck = 1, Close = 2, Ack = 3, Timeout = 4, Reset = 5 }

public struct Conn
{
    public ConnState State;
    public uint Transitions;
    public ulong LastNs;
}

/// <summary>The syscall program's context: the event in, the outcome out.</summary>
public struct ConnEventArgs
{
    public uint ConnId;
    public ConnEvent Event;
    public ConnState NewState;
    public int Error;
}

/// <summary>A small TCP-like connection state machine driven from user space (BPF_PROG_TEST_RUN).</summary>
[BpfProgram(License = "GPL")]
public static partial class StateMachine
{
    [Map] static readonly HashMap<uint, Conn> Conns = new(maxEntries: 4096);
    [Map] static readonly ArrayMap<ulong> InvalidTransitions = new(maxEntries: 1);

    static ConnState Next(ConnState state, ConnEvent ev)
    {
        if (ev == ConnEvent.Reset) return ConnState.Closed;
        switch (state)
        {
            case ConnState.Closed:
                return ev == ConnEvent.Connect ? ConnState.SynSent : ConnState.Invalid;
            case ConnState.SynSent:
                return ev switch
                {
                    ConnEvent.SynAck => ConnState.Established,
                    ConnEvent.Timeout or ConnEvent.Close => ConnState.Closed,
                    _ => ConnState.Invalid,
                };
            case ConnState.Established:
                return ev == ConnEvent.Close ? ConnState.FinWait : ev == ConnEvent.Ack ? ConnState.Established : ConnState.Invalid;
            case ConnState.FinWait:
                return ev is ConnEvent.Ack or ConnEvent.Close ? ConnState.TimeWait : ConnState.Invalid;
            case ConnState.TimeWait:
                return ev == ConnEvent.Timeout ? ConnState.Closed : ConnState.Invalid;
            default:
                return ConnState.Invalid;
        }
    }

    [Syscall]
    static int OnEvent(ref ConnEventArgs args)
    {
        uint id = args.ConnId;
        ref Conn conn = ref Conns.GetValueRefOrNullRef(id);
        bool known = !Unsafe.IsNullRef(ref conn);
        ConnState current = known ? conn.State : ConnState.Closed;
        ConnState next = Next(current, args.Event);
        if (next == ConnState.Invalid)
        {
            args.Error = -22; // EINVAL
            args.NewState = current;
            ref ulong n = ref InvalidTransitions.GetValueRefOrNullRef(0);
            if (!Unsafe.IsNullRef(ref n)) Interlocked.Increment(ref n);
            return 1;
        }
        args.Error = 0;
        args.NewState = next;
        if (next == ConnState.Closed)
        {
            if (known) Conns.Delete(id);
            return 0;
        }
        if (!known)
        {
            Conn fresh = default;
            fresh.State = next;
            fresh.Transitions = 1;
            fresh.LastNs = Bpf.KtimeGetNs();
            Conns.Update(id, fresh);
        }
        else
        {
            conn.State = next;
            conn.Transitions++;
            conn.LastNs = Bpf.KtimeGetNs();
        }
        return 0;
    }
}
