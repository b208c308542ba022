// Per-CPU context-switch statistics on sched_switch (nested struct value) and a global log2
// histogram of time slices in microseconds (bounded while loop).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct SliceTiming {
	__u64 LastNs;
	__u64 TotalNs;
	__u64 MaxSliceNs;
};

struct CpuState {
	struct SliceTiming Time;
	__u64 Switches;
	__u32 LastPid;
	__u32 Reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct CpuState);
} Cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} Slices SEC(".maps");

static __u32 Slot(__u64 ns)
{
	__u64 us = ns / 1000;
	__u32 slot = 0;
	while (us > 1 && slot < 31) {
		us >>= 1;
		slot++;
	}
	return slot;
}

SEC("tracepoint/sched/sched_switch")
int OnSwitch(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct CpuState *st = bpf_map_lookup_elem(&Cpus, &cpu);
	if (!st)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	if (st->Time.LastNs != 0) {
		__u64 slice = now - st->Time.LastNs;
		st->Time.TotalNs += slice;
		if (slice > st->Time.MaxSliceNs)
			st->Time.MaxSliceNs = slice;
		__u32 slot = Slot(slice);
		__u64 *n = bpf_map_lookup_elem(&Slices, &slot);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	st->Time.LastNs = now;
	st->Switches++;
	st->LastPid = bpf_get_current_pid_tgid() >> 32;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
