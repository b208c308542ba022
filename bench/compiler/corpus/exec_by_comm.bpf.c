// exec() counts by command name (execsnoop aggregated): the map key is the 16-byte comm.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u8 TaskComm[16];

struct ExecInfo {
	__u64 Count;
	__u32 LastPid;
	__u32 LastUid;
	__u64 FirstNs;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, TaskComm);
	__type(value, struct ExecInfo);
} Execs SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int OnExec(void *ctx)
{
	TaskComm comm;
	bpf_get_current_comm(&comm, sizeof(comm));
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 uid = bpf_get_current_uid_gid();
	struct ExecInfo *e = bpf_map_lookup_elem(&Execs, &comm);
	if (!e) {
		struct ExecInfo fresh = {};
		fresh.Count = 1;
		fresh.LastPid = pid;
		fresh.LastUid = uid;
		fresh.FirstNs = bpf_ktime_get_ns();
		bpf_map_update_elem(&Execs, &comm, &fresh, BPF_NOEXIST);
		return 0;
	}
	__sync_fetch_and_add(&e->Count, 1);
	e->LastPid = pid;
	e->LastUid = uid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
