// Per-process openat counts with the command name (opensnoop aggregated in the kernel).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u8 TaskComm[16];

struct OpenStats {
	__u64 Count;
	TaskComm Comm;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct OpenStats);
} Opens SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int OnOpenat(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct OpenStats *stats = bpf_map_lookup_elem(&Opens, &pid);
	if (!stats) {
		struct OpenStats fresh = {};
		fresh.Count = 1;
		bpf_get_current_comm(&fresh.Comm, sizeof(fresh.Comm));
		bpf_map_update_elem(&Opens, &pid, &fresh, BPF_NOEXIST);
	} else {
		__sync_fetch_and_add(&stats->Count, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
