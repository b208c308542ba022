// openat() calls per process (the README example): a hash map keyed by tgid.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} Counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int OnOpenat(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 *n = bpf_map_lookup_elem(&Counts, &pid);
	if (!n) {
		__u64 one = 1;
		bpf_map_update_elem(&Counts, &pid, &one, BPF_ANY);
	} else {
		__sync_fetch_and_add(n, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
