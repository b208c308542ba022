// BPF LSM on file_open: while the target thread is set, its opens are denied with -EPERM; everyone
// else's are allowed. Counts both so the test sees the hook ran.
#include "probes_common.h"

struct lsm_stats {
    __u64 denied;
    __u64 allowed;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct lsm_stats);
} Stats SEC(".maps");

SEC("lsm/file_open")
int on_file_open(__u64 *ctx)
{
    __u32 zero = 0;
    struct lsm_stats *s = bpf_map_lookup_elem(&Stats, &zero);
    if (!s) return 0;
    if (is_target()) {
        __sync_fetch_and_add(&s->denied, 1);
        return -1; /* -EPERM */
    }
    __sync_fetch_and_add(&s->allowed, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
