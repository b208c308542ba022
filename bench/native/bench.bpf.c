// BPF side of the host-runtime benchmarks.
//  - `fill` (SEC("syscall"), run with BPF_PROG_TEST_RUN): writes `count` records of `size` bytes into the
//    64 MiB ring buffer `ring` with bpf_loop; the first 8 bytes of each record are its sequence number.
//  - `counts` (hash), `values` (array) and `mm_values` (BPF_F_MMAPABLE array): 1024 entries each, filled by
//    the host, for the map-operation benchmarks.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_RECORD 4096

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024 * 1024);
} ring SEC(".maps");

struct scratch {
    __u64 words[MAX_RECORD / 8];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(map_flags, BPF_F_MMAPABLE);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} mm_values SEC(".maps");

struct fill_args {
    __u32 count;
    __u32 size;
    __u64 written; // out
};

struct fill_state {
    __u32 size;
    __u64 written;
};

static long fill_one(__u32 index, void *data)
{
    struct fill_state *state = data;
    __u32 zero = 0;
    struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
    if (!s)
        return 1;
    __u32 size = state->size;
    if (size < 8 || size > MAX_RECORD)
        return 1;
    s->words[0] = index;
    // BPF_RB_NO_WAKEUP: nobody waits during a benchmark, so skip the irq_work notifications.
    if (bpf_ringbuf_output(&ring, s, size, BPF_RB_NO_WAKEUP))
        return 1; // full: stop
    state->written++;
    return 0;
}

SEC("syscall")
int fill(struct fill_args *args)
{
    struct fill_state state = { .size = args->size };
    bpf_loop(args->count, fill_one, &state, 0);
    args->written = state.written;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
