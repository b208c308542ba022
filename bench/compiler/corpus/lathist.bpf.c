// Per-process log2 histograms of write() latency in microseconds (bcc-style hist key).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct HistKey {
	__u32 Pid;
	__u32 Slot;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} Start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct HistKey);
	__type(value, __u64);
} Hist SEC(".maps");

// floor(log2(v)) (0 for 0 and 1) by a bounded loop.
static __u32 Log2(__u64 v)
{
	__u32 r = 0;
	for (int i = 0; i < 64; i++) {
		v >>= 1;
		if (v == 0)
			break;
		r++;
	}
	return r;
}

SEC("tracepoint/syscalls/sys_enter_write")
int OnEnter(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&Start, &id, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int OnExit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&Start, &id);
	if (!start)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 delta_us = (now - *start) / 1000;
	bpf_map_delete_elem(&Start, &id);

	struct HistKey key = {};
	key.Pid = id >> 32;
	key.Slot = Log2(delta_us);
	__u64 *n = bpf_map_lookup_elem(&Hist, &key);
	if (!n) {
		__u64 one = 1;
		bpf_map_update_elem(&Hist, &key, &one, BPF_NOEXIST);
	} else {
		__sync_fetch_and_add(n, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
