// An LRU-ish cache in an array map: 64 sets of 4 ways indexed by pid; a hit refreshes the way, a miss
// evicts the least recently seen way of the set. Hit/miss counters in a second array.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define WAYS 4
#define SETS 64

struct CacheSlot {
	__u32 Pid;
	__u32 Hits;
	__u64 LastSeen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct CacheSlot);
} Cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} Outcomes SEC(".maps");

static void CountOutcome(__u32 outcome)
{
	__u64 *n = bpf_map_lookup_elem(&Outcomes, &outcome);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int OnOpenat(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 now = bpf_ktime_get_ns();
	__u32 set = pid % SETS;

	struct CacheSlot *victim = NULL;
	__u64 oldest = ~0ULL;
	for (__u32 way = 0; way < WAYS; way++) {
		__u32 index = set * WAYS + way;
		struct CacheSlot *slot = bpf_map_lookup_elem(&Cache, &index);
		if (!slot)
			continue;
		if (slot->Pid == pid) {
			slot->Hits++;
			slot->LastSeen = now;
			CountOutcome(0);
			return 0;
		}
		if (slot->LastSeen < oldest) {
			oldest = slot->LastSeen;
			victim = slot;
		}
	}
	if (victim) {
		victim->Pid = pid;
		victim->Hits = 1;
		victim->LastSeen = now;
	}
	CountOutcome(1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
