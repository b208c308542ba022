// openat results by errno class from a kretprobe on do_sys_openat2, and failures per uid.
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} Results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} FailuresByUid SEC(".maps");

static __u32 Classify(long ret)
{
	if (ret >= 0)
		return 0;
	switch (ret) {
	case -2: return 1;              // ENOENT
	case -13: return 2;             // EACCES
	case -1: return 3;              // EPERM
	case -24: case -23: return 4;   // EMFILE, ENFILE
	case -17: return 5;             // EEXIST
	case -20: case -21: return 6;   // ENOTDIR, EISDIR
	default: return 7;
	}
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(OnOpenReturn, long ret)
{
	__u32 kind = Classify(ret);
	__u64 *n = bpf_map_lookup_elem(&Results, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
	if (ret < 0) {
		__u32 uid = bpf_get_current_uid_gid();
		__u64 *f = bpf_map_lookup_elem(&FailuresByUid, &uid);
		if (!f) {
			__u64 one = 1;
			bpf_map_update_elem(&FailuresByUid, &uid, &one, BPF_NOEXIST);
		} else {
			__sync_fetch_and_add(f, 1);
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
