// C reference consumers and map loops for the host-runtime benchmarks. Built into libcsbpf_bench.so (called
// from the BenchmarkDotNet project, so C and C# are measured in the same process and run) and into the
// standalone ringbuf_bench program.
#ifndef CSBPF_BENCH_CONSUMERS_H
#define CSBPF_BENCH_CONSUMERS_H

#include <stdint.h>

// ---- ring buffer ----------------------------------------------------------------------------------------

// libbpf's consumer: ring_buffer__new with a callback that adds the first 8 bytes of each record to a sum.
void *bench_libbpf_ring_new(int map_fd);
// ring_buffer__consume; returns the number of records, adds to *sum.
int64_t bench_libbpf_ring_consume(void *rb, uint64_t *sum);
void bench_libbpf_ring_free(void *rb);

// A minimal consumer over the ring's mmap: the same protocol as libbpf's ringbuf_process_ring with the
// record handling (the same sum) inlined.
void *bench_minimal_ring_new(int map_fd, uint32_t size);
int64_t bench_minimal_ring_consume(void *ring, uint64_t *sum);
void bench_minimal_ring_free(void *ring);

// ---- maps: each runs the operation over keys 0..n-1 and returns a checksum or -errno ---------------------

int64_t bench_c_lookup(int fd, uint32_t n);
int64_t bench_c_update(int fd, uint32_t n);
int64_t bench_c_lookup_batch(int fd, uint32_t n, uint32_t *keys, uint64_t *values);
int64_t bench_c_iterate(int fd);
int64_t bench_c_mmap_sum(const uint64_t *values, uint32_t n);

#endif
