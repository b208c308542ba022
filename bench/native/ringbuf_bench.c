// Standalone C reference for the ring buffer drain benchmark: loads bench.bpf.o with libbpf, pre-fills the
// 64 MiB ring with RECORDS records using the `fill` program (BPF_PROG_TEST_RUN + bpf_loop; the same count
// as the BenchmarkDotNet benchmark, for every size), then times one drain with libbpf's
// ring_buffer__consume and one with the minimal mmap loop, per record size. Prints the median ns/record over
// the repetitions. The BenchmarkDotNet project measures the same C functions (and the C# reader) in one run;
// this program checks that calling them from .NET does not change their cost.
//
//   ringbuf_bench <bench.bpf.o> [repetitions]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_consumers.h"

struct fill_args {
    uint32_t count;
    uint32_t size;
    uint64_t written;
};

/* Records per drain, for every size: 30,000 x 2056 bytes fits the 64 MiB ring. */
#define RECORDS 30000

static int fill(int prog_fd, uint32_t count, uint32_t size)
{
    struct fill_args args = { .count = count, .size = size };
    DECLARE_LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    if (err || args.written != count) {
        fprintf(stderr, "fill %u x %u bytes: err %d, written %llu\n", count, size, err, (unsigned long long)args.written);
        return -1;
    }
    return 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s <bench.bpf.o> [repetitions]\n", argv[0]);
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 15;
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj || bpf_object__load(obj)) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "fill"));
    struct bpf_map *map = bpf_object__find_map_by_name(obj, "ring");
    int ring_fd = bpf_map__fd(map);
    uint32_t ring_size = bpf_map__max_entries(map);
    void *libbpf_ring = bench_libbpf_ring_new(ring_fd);
    void *minimal_ring = bench_minimal_ring_new(ring_fd, ring_size);
    if (!libbpf_ring || !minimal_ring) {
        fprintf(stderr, "cannot map the ring\n");
        return 1;
    }

    static const uint32_t sizes[] = { 8, 64, 256, 1024, 2048 };
    double *samples = calloc(reps, sizeof(double));
    printf("%-6s %-10s %14s %14s\n", "size", "records", "libbpf ns/rec", "minimal ns/rec");
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint32_t size = sizes[s], count = RECORDS;
        double median[2];
        for (int which = 0; which < 2; which++) {
            for (int r = 0; r < reps + 2; r++) {
                if (fill(prog_fd, count, size))
                    return 1;
                uint64_t sum = 0;
                double start = now_ns();
                int64_t n = which == 0 ? bench_libbpf_ring_consume(libbpf_ring, &sum) : bench_minimal_ring_consume(minimal_ring, &sum);
                double elapsed = now_ns() - start;
                uint64_t expected = (uint64_t)count * (count - 1) / 2;
                if (n != count || sum != expected) {
                    fprintf(stderr, "drain read %lld records (sum %llu), expected %u (sum %llu)\n", (long long)n,
                            (unsigned long long)sum, count, (unsigned long long)expected);
                    return 1;
                }
                if (r >= 2) // two warm-up drains
                    samples[r - 2] = elapsed / count;
            }
            qsort(samples, reps, sizeof(double), compare);
            median[which] = samples[reps / 2];
        }
        printf("%-6u %-10u %14.2f %14.2f\n", size, count, median[0], median[1]);
    }
    bench_libbpf_ring_free(libbpf_ring);
    bench_minimal_ring_free(minimal_ring);
    bpf_object__close(obj);
    return 0;
}
