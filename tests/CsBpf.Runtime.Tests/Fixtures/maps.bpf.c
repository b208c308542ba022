// Maps only exercised from the host: a hash map with a struct key and an array map with a struct value.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
    __u32 addr;
    __u16 port;
    __u16 proto;
};

struct stats {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct flow_key);
    __type(value, struct stats);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, struct stats);
} slots SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, __u64);
} numbers SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} percpu SEC(".maps");

// BPF_F_MMAPABLE arrays: read and written in place by the host (BpfArrayMap.AsSpan).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(map_flags, BPF_F_MMAPABLE);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, struct stats);
} mm_stats SEC(".maps");

// 4-byte values are stored 8 bytes apart, so this one cannot be a Span<uint>.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(map_flags, BPF_F_MMAPABLE);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} mm_narrow SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} percpu_hash SEC(".maps");

struct bump_args {
    __u32 index;
    __u32 pad;
    __u64 amount;
};

// Adds `amount` to mm_stats[index].packets and to this CPU's percpu_hash[index] (creating it), so tests
// can watch program writes through the host's views.
SEC("syscall")
int bump(struct bump_args *args)
{
    __u32 index = args->index;
    struct stats *s = bpf_map_lookup_elem(&mm_stats, &index);
    if (!s)
        return 1;
    __sync_fetch_and_add(&s->packets, args->amount);
    __u64 *v = bpf_map_lookup_elem(&percpu_hash, &index);
    if (v) {
        *v += args->amount;
    } else {
        __u64 initial = args->amount;
        bpf_map_update_elem(&percpu_hash, &index, &initial, BPF_NOEXIST);
    }
    return 0;
}

// A program so the object is a normal one; it is never attached.
SEC("tracepoint/syscalls/sys_enter_getpid")
int touch_maps(void *ctx)
{
    __u32 zero = 0;
    struct stats *s = bpf_map_lookup_elem(&slots, &zero);
    if (s)
        s->packets++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
