// Global variables in the three data sections, used from the host through BpfObject.GetGlobals:
// .rodata (const volatile: configured before load, constant for the verifier), .data (initialized) and .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u64 multiplier = 1;
const volatile __u32 enabled = 0;
const volatile __u32 rodata_marker = 0xC0FFEE;

__u64 data_value = 42;
__u64 data_second = 7;

__u64 counter;
__u64 ticks;

// Each run: ticks++, data_value++, and counter += multiplier when enabled. Returns the new counter.
SEC("syscall")
int tick(void *ctx)
{
    __sync_fetch_and_add(&ticks, 1);
    data_value++;
    if (enabled)
        counter += multiplier;
    return (int)counter;
}

char LICENSE[] SEC("license") = "GPL";
