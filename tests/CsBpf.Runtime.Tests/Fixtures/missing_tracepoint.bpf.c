// Loads fine (tracepoint programs are not bound to an event at load time) but cannot be attached:
// the tracepoint syscalls/sys_enter_nosuch does not exist.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_nosuch")
int on_nosuch(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
