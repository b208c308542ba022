// syscount: system calls by number and by process, from a kprobe on the x86-64 syscall dispatcher
// (long x64_sys_call(const struct pt_regs *regs, unsigned int nr)).
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u64);
} BySyscall SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} ByProcess SEC(".maps");

SEC("kprobe/x64_sys_call")
int BPF_KPROBE(OnSyscall, void *regs, __u32 nr)
{
	__u64 *n = bpf_map_lookup_elem(&BySyscall, &nr);
	if (n)
		__sync_fetch_and_add(n, 1);

	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 *p = bpf_map_lookup_elem(&ByProcess, &pid);
	if (!p) {
		__u64 one = 1;
		bpf_map_update_elem(&ByProcess, &pid, &one, BPF_NOEXIST);
	} else {
		__sync_fetch_and_add(p, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
