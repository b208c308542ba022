// fentry + fexit on do_sys_openat2: the tracing context is an array of u64 argument slots, the return
// value following the arguments for fexit.
#include "probes_common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct open_event);
} Events SEC(".maps");

SEC("fentry/do_sys_openat2")
int on_entry(__u64 *ctx)
{
    __u32 zero = 0;
    if (!is_target()) return 0;
    struct open_event *e = bpf_map_lookup_elem(&Events, &zero);
    if (!e) return 0;
    __sync_fetch_and_add(&e->entries, 1);
    e->dfd = (int)ctx[0];
    e->filename = ctx[1];
    return 0;
}

SEC("fexit/do_sys_openat2")
int on_exit(__u64 *ctx)
{
    __u32 zero = 0;
    if (!is_target()) return 0;
    struct open_event *e = bpf_map_lookup_elem(&Events, &zero);
    if (!e) return 0;
    __sync_fetch_and_add(&e->returns, 1);
    e->ret = (long)ctx[3];
    e->exit_dfd = (int)ctx[0];
    e->exit_filename = ctx[1];
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
