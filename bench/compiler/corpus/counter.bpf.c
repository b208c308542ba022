// The minimal program: one global counter of openat() calls in a one-element array.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} Total SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int OnOpenat(void *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&Total, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
