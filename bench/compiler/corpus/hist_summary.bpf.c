// Summarises a 64-slot log2 histogram in the kernel (two bounded loops over an array map):
// total, weighted sum, highest and median non-empty slot.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// The summary a syscall program hands back to user space.
struct HistSummary {
	__u64 Total;
	__u64 Weighted;
	__u32 MaxSlot;
	__u32 MedianSlot;
	__u32 NonEmpty;
	__u32 Reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} Hist SEC(".maps");

SEC("syscall")
int Summarize(struct HistSummary *summary)
{
	__u64 total = 0, weighted = 0;
	__u32 max_slot = 0, non_empty = 0;
	for (__u32 i = 0; i < 64; i++) {
		// A separate key: with &i the counter lives on the stack and the verifier loses its bound.
		__u32 key = i;
		__u64 *c = bpf_map_lookup_elem(&Hist, &key);
		if (!c || *c == 0)
			continue;
		total += *c;
		weighted += *c * i;
		max_slot = i;
		non_empty++;
	}

	__u64 half = (total + 1) / 2, running = 0;
	__u32 median = 0;
	for (__u32 i = 0; i < 64; i++) {
		__u32 key = i;
		__u64 *c = bpf_map_lookup_elem(&Hist, &key);
		if (!c)
			continue;
		running += *c;
		if (running >= half) {
			median = i;
			break;
		}
	}

	summary->Total = total;
	summary->Weighted = weighted;
	summary->MaxSlot = max_slot;
	summary->MedianSlot = median;
	summary->NonEmpty = non_empty;
	return total == 0 ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
