// A small program with one of each resource the host runtime manages: a hash map, a ring buffer, a .bss
// variable and a cgroup link (cgroup attach and detach are cheap, so thousands of cycles run in seconds;
// tracepoint detach waits for an RCU grace period, tens of milliseconds each).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

__u64 packets;

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&packets, 1);
    return 1; // let the packet through
}

char LICENSE[] SEC("license") = "GPL";
