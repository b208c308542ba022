// A map of a type no kernel has (250): creating it fails with EINVAL, which the runtime's probe
// (libbpf_probe_bpf_map_type) identifies as an unsupported feature.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, 250);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} future SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int uses_future(void *ctx)
{
    __u32 key = 0;
    bpf_map_lookup_elem(&future, &key);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
