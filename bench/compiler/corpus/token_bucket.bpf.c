// A per-uid token bucket on execve() (10 per second, burst 20): allowed/limited counters.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

#define BURST 20ULL
#define NS_PER_TOKEN 100000000ULL

struct Bucket {
	__u64 Tokens;
	__u64 LastNs;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct Bucket);
} Buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} Verdicts SEC(".maps");

static void Record(__u32 verdict)
{
	__u64 *n = bpf_map_lookup_elem(&Verdicts, &verdict);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int OnExecve(void *ctx)
{
	__u32 uid = bpf_get_current_uid_gid();
	__u64 now = bpf_ktime_get_ns();
	struct Bucket *b = bpf_map_lookup_elem(&Buckets, &uid);
	if (!b) {
		struct Bucket fresh = {};
		fresh.Tokens = BURST - 1;
		fresh.LastNs = now;
		bpf_map_update_elem(&Buckets, &uid, &fresh, BPF_NOEXIST);
		Record(0);
		return 0;
	}
	__u64 refill = (now - b->LastNs) / NS_PER_TOKEN;
	if (refill > 0) {
		__u64 tokens = b->Tokens + refill;
		b->Tokens = tokens > BURST ? BURST : tokens;
		b->LastNs += refill * NS_PER_TOKEN;
	}
	bool allowed = b->Tokens > 0;
	if (allowed)
		b->Tokens--;
	Record(allowed ? 0 : 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
