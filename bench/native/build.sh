#!/usr/bin/env bash
# Builds the native side of the host-runtime benchmarks into bench/native/build:
#   bench.bpf.o          the BPF producer and maps (clang-19, BPF target)
#   libcsbpf_bench.so    the C reference consumers and map loops, called from BenchmarkDotNet
#   ringbuf_bench        the standalone C ring buffer benchmark
# Needs clang-19, gcc and libbpf-dev (headers and libbpf.so).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"
arch_include="/usr/include/$(gcc -dumpmachine)"
clang-19 -O2 -g -target bpf -mcpu=v3 -I"$arch_include" -c "$here/bench.bpf.c" -o "$out/bench.bpf.o"
gcc -O2 -fPIC -shared -Wall -Wextra -Wno-unused-parameter -o "$out/libcsbpf_bench.so" "$here/bench_consumers.c" -lbpf
gcc -O2 -Wall -Wextra -Wno-unused-parameter -o "$out/ringbuf_bench" "$here/ringbuf_bench.c" "$here/bench_consumers.c" -lbpf
echo "built: $out/bench.bpf.o $out/libcsbpf_bench.so $out/ringbuf_bench"
