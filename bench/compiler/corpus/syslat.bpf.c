// Per-process read() latency (count, total, max) from ktime across sys_enter/sys_exit.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct LatStats {
	__u64 Count;
	__u64 TotalNs;
	__u64 MaxNs;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} Start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct LatStats);
} Stats SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int OnEnter(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&Start, &id, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int OnExit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&Start, &id);
	if (!start)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 delta = now - *start;
	bpf_map_delete_elem(&Start, &id);

	__u32 pid = id >> 32;
	struct LatStats *s = bpf_map_lookup_elem(&Stats, &pid);
	if (!s) {
		struct LatStats fresh = {};
		fresh.Count = 1;
		fresh.TotalNs = delta;
		fresh.MaxNs = delta;
		bpf_map_update_elem(&Stats, &pid, &fresh, BPF_NOEXIST);
		return 0;
	}
	__sync_fetch_and_add(&s->Count, 1);
	__sync_fetch_and_add(&s->TotalNs, delta);
	if (delta > s->MaxNs)
		s->MaxNs = delta;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
