// See bench_consumers.h.
#include "bench_consumers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

// ---- libbpf ------------------------------------------------------------------------------------------------

struct libbpf_ctx {
    struct ring_buffer *rb;
    uint64_t sum;
};

static int sum_first_word(void *ctx, void *data, size_t size)
{
    struct libbpf_ctx *c = ctx;
    c->sum += *(const uint64_t *)data;
    return 0;
}

void *bench_libbpf_ring_new(int map_fd)
{
    struct libbpf_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->rb = ring_buffer__new(map_fd, sum_first_word, c, NULL);
    if (!c->rb) {
        free(c);
        return NULL;
    }
    return c;
}

int64_t bench_libbpf_ring_consume(void *ring, uint64_t *sum)
{
    struct libbpf_ctx *c = ring;
    c->sum = 0;
    int n = ring_buffer__consume(c->rb);
    *sum += c->sum;
    return n;
}

void bench_libbpf_ring_free(void *ring)
{
    struct libbpf_ctx *c = ring;
    if (!c)
        return;
    ring_buffer__free(c->rb);
    free(c);
}

// ---- minimal loop ------------------------------------------------------------------------------------------

struct minimal_ring {
    unsigned long *consumer_pos;
    unsigned long *producer_pos;
    unsigned char *data;
    unsigned long mask;
    size_t page;
    size_t producer_len;
};

void *bench_minimal_ring_new(int map_fd, uint32_t size)
{
    struct minimal_ring *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->page = (size_t)sysconf(_SC_PAGESIZE);
    r->mask = size - 1;
    void *consumer = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
    if (consumer == MAP_FAILED) {
        free(r);
        return NULL;
    }
    r->producer_len = r->page + 2 * (size_t)size;
    void *producer = mmap(NULL, r->producer_len, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
    if (producer == MAP_FAILED) {
        munmap(consumer, r->page);
        free(r);
        return NULL;
    }
    r->consumer_pos = consumer;
    r->producer_pos = producer;
    r->data = (unsigned char *)producer + r->page;
    return r;
}

int64_t bench_minimal_ring_consume(void *ring, uint64_t *sum)
{
    struct minimal_ring *r = ring;
    unsigned long cons = *r->consumer_pos; // only the consumer writes it
    int64_t n = 0;
    uint64_t s = 0;
    for (;;) {
        unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
        if (cons >= prod)
            break;
        do {
            uint32_t *hdr = (uint32_t *)(r->data + (cons & r->mask));
            uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
            if (len & BPF_RINGBUF_BUSY_BIT)
                goto done;
            cons += ((len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT)) + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
            if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
                s += *(const uint64_t *)((const unsigned char *)hdr + BPF_RINGBUF_HDR_SZ);
                n++;
            }
            __atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
        } while (cons < prod);
    }
done:
    *sum += s;
    return n;
}

void bench_minimal_ring_free(void *ring)
{
    struct minimal_ring *r = ring;
    if (!r)
        return;
    munmap(r->producer_pos, r->producer_len);
    munmap(r->consumer_pos, r->page);
    free(r);
}

// ---- maps --------------------------------------------------------------------------------------------------

int64_t bench_c_lookup(int fd, uint32_t n)
{
    uint64_t sum = 0;
    for (uint32_t key = 0; key < n; key++) {
        uint64_t value;
        int err = bpf_map_lookup_elem(fd, &key, &value);
        if (err)
            return err;
        sum += value;
    }
    return (int64_t)sum;
}

int64_t bench_c_update(int fd, uint32_t n)
{
    for (uint32_t key = 0; key < n; key++) {
        uint64_t value = key;
        int err = bpf_map_update_elem(fd, &key, &value, BPF_ANY);
        if (err)
            return err;
    }
    return n;
}

int64_t bench_c_lookup_batch(int fd, uint32_t n, uint32_t *keys, uint64_t *values)
{
    DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
    uint32_t in = 0, out = 0, total = 0;
    int first = 1;
    for (;;) {
        uint32_t count = n - total;
        int err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys + total, values + total, &count, &opts);
        total += count;
        if (err == -ENOENT)
            break;
        if (err)
            return err;
        if (total >= n)
            break;
        in = out;
        first = 0;
    }
    return total;
}

int64_t bench_c_iterate(int fd)
{
    uint32_t key, next;
    int64_t n = 0;
    int err = bpf_map_get_next_key(fd, NULL, &next);
    while (!err) {
        key = next;
        n++;
        err = bpf_map_get_next_key(fd, &key, &next);
    }
    return err == -ENOENT ? n : err;
}

int64_t bench_c_mmap_sum(const uint64_t *values, uint32_t n)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += values[i];
    return (int64_t)sum;
}
