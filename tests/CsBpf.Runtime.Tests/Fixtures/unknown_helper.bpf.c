// Calls BPF helper #1000, which no kernel provides: the verifier answers "invalid func unknown#1000".
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long (*bpf_from_the_future)(void) = (void *)1000;

SEC("tracepoint/syscalls/sys_enter_getpid")
int calls_future(void *ctx)
{
    return bpf_from_the_future();
}

char LICENSE[] SEC("license") = "GPL";
