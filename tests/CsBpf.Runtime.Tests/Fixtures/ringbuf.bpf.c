// Ring buffer producers run on demand with BPF_PROG_TEST_RUN: SEC("syscall") programs receive their
// arguments as the context, and bpf_loop emits `count` records so one test run can fill a ring.
//
// Record content (checked by the host): 64-bit words, word 0 = sequence number, word k = seq * K + k,
// truncated to `size` bytes. Sequence numbers are first_seq, first_seq + 1, ... for the records of one run.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_RECORD 4096
#define MAX_WORDS (MAX_RECORD / 8)
#define PATTERN 0x9E3779B97F4A7C15ULL

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} small SEC(".maps");

struct scratch {
    __u64 words[MAX_WORDS];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct scratch);
} scratch_map SEC(".maps");

// Host-visible counters (.bss): records written, and records lost because the ring was full.
__u64 produced;
__u64 dropped;

struct emit_args {
    __u64 first_seq;
    __u32 count;
    __u32 size;
    __u32 ring;   // 0: events, 1: small
    __u32 flags;  // bpf_ringbuf_output flags (BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP)
    __u64 emitted; // out: records written by this run
};

struct loop_state {
    __u64 first_seq;
    __u32 size;
    __u32 ring;
    __u64 flags;
    __u64 emitted;
};

static long emit_one(__u32 index, void *data)
{
    struct loop_state *state = data;
    __u32 zero = 0;
    struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
    if (!s)
        return 1;
    __u64 seq = state->first_seq + index;
    __u32 size = state->size;
    if (size == 0 || size > MAX_RECORD)
        return 1;
    __u32 words = (size + 7) / 8;
    s->words[0] = seq;
    for (__u32 k = 1; k < MAX_WORDS; k++) {
        if (k >= words)
            break;
        s->words[k] = seq * PATTERN + k;
    }
    long err = state->ring == 0 ? bpf_ringbuf_output(&events, s, size, state->flags)
                                : bpf_ringbuf_output(&small, s, size, state->flags);
    if (err) {
        __sync_fetch_and_add(&dropped, 1);
    } else {
        __sync_fetch_and_add(&produced, 1);
        state->emitted++;
    }
    return 0;
}

SEC("syscall")
int emit(struct emit_args *args)
{
    struct loop_state state = {
        .first_seq = args->first_seq,
        .size = args->size,
        .ring = args->ring,
        .flags = args->flags,
    };
    bpf_loop(args->count, emit_one, &state, 0);
    args->emitted = state.emitted;
    return 0;
}

// 16-byte records via reserve/submit; every third one (seq % 3 == 0) is discarded instead, so the reader
// must skip records carrying BPF_RINGBUF_DISCARD_BIT.
struct fixed_record {
    __u64 seq;
    __u64 check;
};

static long emit_fixed(__u32 index, void *data)
{
    struct loop_state *state = data;
    __u64 seq = state->first_seq + index;
    struct fixed_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
    if (!r) {
        __sync_fetch_and_add(&dropped, 1);
        return 0;
    }
    r->seq = seq;
    r->check = ~seq;
    if (seq % 3 == 0) {
        bpf_ringbuf_discard(r, 0);
    } else {
        bpf_ringbuf_submit(r, 0);
        __sync_fetch_and_add(&produced, 1);
        state->emitted++;
    }
    return 0;
}

SEC("syscall")
int emit_with_discards(struct emit_args *args)
{
    struct loop_state state = { .first_seq = args->first_seq };
    bpf_loop(args->count, emit_fixed, &state, 0);
    args->emitted = state.emitted;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
