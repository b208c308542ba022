// Rejected by the verifier: the map lookup result may be NULL and is dereferenced without a check.
// A hash map, not an array: recent kernels (6.14+) know that an array lookup with a constant in-range
// key cannot return NULL.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int read_unchecked(void *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&values, &key);
    return *value; // no NULL check: "R0 invalid mem access 'map_value_or_null'"
}

char LICENSE[] SEC("license") = "GPL";
