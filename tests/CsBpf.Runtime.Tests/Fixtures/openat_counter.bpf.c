// Counts sys_enter_openat per process (tgid) in a hash map: the end-to-end fixture for load/attach/read.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_openat(void *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    __u64 one = 1;
    __u64 *value = bpf_map_lookup_elem(&counts, &tgid);
    if (value)
        __sync_fetch_and_add(value, 1);
    else
        bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
