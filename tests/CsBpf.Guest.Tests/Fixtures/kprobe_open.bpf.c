// kprobe + kretprobe on do_sys_openat2(int dfd, const char __user *filename, struct open_how *how):
// the entry records dfd and the filename pointer (rdi, rsi), the return probe the returned fd (rax).
#include <asm/ptrace.h>
#include "probes_common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct open_event);
} Events SEC(".maps");

SEC("kprobe/do_sys_openat2")
int on_open(struct pt_regs *ctx)
{
    __u32 zero = 0;
    if (!is_target()) return 0;
    struct open_event *e = bpf_map_lookup_elem(&Events, &zero);
    if (!e) return 0;
    __sync_fetch_and_add(&e->entries, 1);
    e->dfd = (int)ctx->rdi;
    e->filename = ctx->rsi;
    return 0;
}

SEC("kretprobe/do_sys_openat2")
int on_open_ret(struct pt_regs *ctx)
{
    __u32 zero = 0;
    if (!is_target()) return 0;
    struct open_event *e = bpf_map_lookup_elem(&Events, &zero);
    if (!e) return 0;
    __sync_fetch_and_add(&e->returns, 1);
    e->ret = (long)ctx->rax;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
