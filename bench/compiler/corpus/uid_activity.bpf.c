// Per-uid activity from three tracepoints sharing one accounting function (BPF-to-BPF calls,
// a struct passed by pointer, a switch statement, a bool field).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

enum Activity { Open, Exec, Kill };

struct UidStats {
	__u64 Opens;
	__u64 Execs;
	__u64 Kills;
	__u64 LastNs;
	__u32 LastPid;
	bool Root;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct UidStats);
} Stats SEC(".maps");

static void Bump(struct UidStats *s, enum Activity kind)
{
	switch (kind) {
	case Open: s->Opens++; break;
	case Exec: s->Execs++; break;
	default: s->Kills++; break;
	}
}

static void Account(enum Activity kind)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 uid = bpf_get_current_uid_gid();
	struct UidStats *s = bpf_map_lookup_elem(&Stats, &uid);
	if (!s) {
		struct UidStats fresh = {};
		Bump(&fresh, kind);
		fresh.LastNs = bpf_ktime_get_ns();
		fresh.LastPid = pid;
		fresh.Root = uid == 0;
		bpf_map_update_elem(&Stats, &uid, &fresh, BPF_NOEXIST);
		return;
	}
	Bump(s, kind);
	s->LastNs = bpf_ktime_get_ns();
	s->LastPid = pid;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int OnOpen(void *ctx) { Account(Open); return 0; }

SEC("tracepoint/syscalls/sys_enter_execve")
int OnExec(void *ctx) { Account(Exec); return 0; }

SEC("tracepoint/syscalls/sys_enter_kill")
int OnKill(void *ctx) { Account(Kill); return 0; }

char LICENSE[] SEC("license") = "GPL";
