// tcptop: TCP bytes sent and received per process, from kprobes on tcp_sendmsg(sk, msg, size)
// and tcp_cleanup_rbuf(sk, copied), through a shared accounting function.
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <stdbool.h>

struct TcpTraffic {
	__u64 SentBytes;
	__u64 RecvBytes;
	__u64 SendCalls;
	__u64 RecvCalls;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct TcpTraffic);
} Traffic SEC(".maps");

static void Account(__u64 bytes, bool send)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct TcpTraffic *t = bpf_map_lookup_elem(&Traffic, &pid);
	if (!t) {
		struct TcpTraffic fresh = {};
		if (send) {
			fresh.SentBytes = bytes;
			fresh.SendCalls = 1;
		} else {
			fresh.RecvBytes = bytes;
			fresh.RecvCalls = 1;
		}
		bpf_map_update_elem(&Traffic, &pid, &fresh, BPF_NOEXIST);
		return;
	}
	if (send) {
		__sync_fetch_and_add(&t->SentBytes, bytes);
		__sync_fetch_and_add(&t->SendCalls, 1);
	} else {
		__sync_fetch_and_add(&t->RecvBytes, bytes);
		__sync_fetch_and_add(&t->RecvCalls, 1);
	}
}

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(OnSend, void *sk, void *msg, __u64 size)
{
	Account(size, true);
	return 0;
}

SEC("kprobe/tcp_cleanup_rbuf")
int BPF_KPROBE(OnRecv, void *sk, int copied)
{
	if (copied <= 0)
		return 0;
	Account((__u64)copied, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
