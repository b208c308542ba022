// A small TCP-like connection state machine driven from user space (BPF_PROG_TEST_RUN).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

enum ConnState { Closed = 0, SynSent = 1, Established = 2, FinWait = 3, TimeWait = 4, Invalid = 255 };
enum ConnEvent { Connect = 0, SynAck = 1, Close = 2, Ack = 3, Timeout = 4, Reset = 5 };

struct Conn {
	enum ConnState State;
	__u32 Transitions;
	__u64 LastNs;
};

// The syscall program's context: the event in, the outcome out.
struct ConnEventArgs {
	__u32 ConnId;
	enum ConnEvent Event;
	enum ConnState NewState;
	__s32 Error;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct Conn);
} Conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} InvalidTransitions SEC(".maps");

static enum ConnState Next(enum ConnState state, enum ConnEvent ev)
{
	if (ev == Reset)
		return Closed;
	switch (state) {
	case Closed:
		return ev == Connect ? SynSent : Invalid;
	case SynSent:
		switch (ev) {
		case SynAck:
			return Established;
		case Timeout:
		case Close:
			return Closed;
		default:
			return Invalid;
		}
	case Established:
		return ev == Close ? FinWait : ev == Ack ? Established : Invalid;
	case FinWait:
		return ev == Ack || ev == Close ? TimeWait : Invalid;
	case TimeWait:
		return ev == Timeout ? Closed : Invalid;
	default:
		return Invalid;
	}
}

SEC("syscall")
int OnEvent(struct ConnEventArgs *args)
{
	__u32 id = args->ConnId;
	struct Conn *conn = bpf_map_lookup_elem(&Conns, &id);
	bool known = conn != NULL;
	enum ConnState current = known ? conn->State : Closed;
	enum ConnState next = Next(current, args->Event);
	if (next == Invalid) {
		args->Error = -22; // EINVAL
		args->NewState = current;
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&InvalidTransitions, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
		return 1;
	}
	args->Error = 0;
	args->NewState = next;
	if (next == Closed) {
		if (known)
			bpf_map_delete_elem(&Conns, &id);
		return 0;
	}
	if (!known) {
		struct Conn fresh = {};
		fresh.State = next;
		fresh.Transitions = 1;
		fresh.LastNs = bpf_ktime_get_ns();
		bpf_map_update_elem(&Conns, &id, &fresh, BPF_ANY);
	} else {
		conn->State = next;
		conn->Transitions++;
		conn->LastNs = bpf_ktime_get_ns();
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
