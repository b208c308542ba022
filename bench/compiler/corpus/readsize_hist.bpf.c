// Log2 histogram of vfs_read() request sizes (kprobe argument), with bcc's branch-free log2.
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} Sizes SEC(".maps");

static __u32 Log2(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __u32 Log2L(__u64 v)
{
	__u32 hi = v >> 32;
	return hi ? Log2(hi) + 32 : Log2(v);
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(OnVfsRead, void *file, void *buf, __u64 count)
{
	__u32 slot = Log2L(count);
	__u64 *n = bpf_map_lookup_elem(&Sizes, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
