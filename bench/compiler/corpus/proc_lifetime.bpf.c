// Process lifetimes (from exec to exit of the thread-group leader) in decade buckets.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ProcInfo {
	__u64 StartNs;
	__u32 Uid;
	__u32 Execs;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct ProcInfo);
} Procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, __u64);
} Lifetimes SEC(".maps");

static __u32 Bucket(__u64 ns)
{
	if (ns < 1000000ULL) return 0;        // < 1 ms
	if (ns < 10000000ULL) return 1;       // < 10 ms
	if (ns < 100000000ULL) return 2;      // < 100 ms
	if (ns < 1000000000ULL) return 3;     // < 1 s
	if (ns < 10000000000ULL) return 4;    // < 10 s
	return 5;
}

SEC("tracepoint/sched/sched_process_exec")
int OnExec(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 uid = bpf_get_current_uid_gid();
	struct ProcInfo *p = bpf_map_lookup_elem(&Procs, &pid);
	if (!p) {
		struct ProcInfo fresh = {};
		fresh.StartNs = bpf_ktime_get_ns();
		fresh.Uid = uid;
		fresh.Execs = 1;
		bpf_map_update_elem(&Procs, &pid, &fresh, BPF_ANY);
	} else {
		p->Execs++;
		p->Uid = uid;
	}
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int OnExit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	if (pid != (__u32)id)
		return 0; // a thread, not the whole process
	struct ProcInfo info;
	struct ProcInfo *found = bpf_map_lookup_elem(&Procs, &pid);
	if (!found)
		return 0;
	info = *found;
	bpf_map_delete_elem(&Procs, &pid);
	__u64 lifetime = bpf_ktime_get_ns() - info.StartNs;
	__u32 bucket = Bucket(lifetime);
	__u64 *n = bpf_map_lookup_elem(&Lifetimes, &bucket);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
