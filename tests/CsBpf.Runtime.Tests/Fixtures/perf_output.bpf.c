// An XDP program for BPF_PROG_TEST_RUN that sends one sample per run to a perf event array with
// bpf_perf_event_output(BPF_F_CURRENT_CPU). Sample: word 0 = sequence number (from .bss), word 1 = its
// complement, words 2.. = seq * K + k; `sample_size` (.data, set by the host) bytes of it are sent.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define WORDS 32
#define PATTERN 0x9E3779B97F4A7C15ULL

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} samples SEC(".maps");

__u64 next_seq;
__u32 sample_size = 16;

SEC("xdp")
int emit_sample(struct xdp_md *ctx)
{
    __u64 words[WORDS];
    __u64 seq = __sync_fetch_and_add(&next_seq, 1);
    words[0] = seq;
    words[1] = ~seq;
    for (int k = 2; k < WORDS; k++)
        words[k] = seq * PATTERN + k;
    __u32 size = sample_size;
    if (size < 16)
        size = 16;
    if (size > sizeof(words))
        size = sizeof(words);
    bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, words, size);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
