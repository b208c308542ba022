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
