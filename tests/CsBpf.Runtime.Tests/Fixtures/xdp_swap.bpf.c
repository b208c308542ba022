// An XDP program for BPF_PROG_TEST_RUN: swaps the Ethernet source and destination addresses, counts its runs
// (.bss) and passes the packet; too-short packets are dropped.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 runs;

SEC("xdp")
int swap_macs(struct xdp_md *ctx)
{
    unsigned char *data = (unsigned char *)(long)ctx->data;
    unsigned char *end = (unsigned char *)(long)ctx->data_end;
    __sync_fetch_and_add(&runs, 1);
    if (data + 14 > end)
        return XDP_DROP;
    for (int i = 0; i < 6; i++) {
        unsigned char t = data[i];
        data[i] = data[i + 6];
        data[i + 6] = t;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
