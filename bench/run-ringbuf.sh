#!/usr/bin/env bash
# Host-runtime benchmarks (see RESULTS.md, section "Host runtime"):
#   1. builds the native side (bench/native/build.sh: bench.bpf.o, libcsbpf_bench.so, ringbuf_bench),
#   2. runs the standalone C ring buffer benchmark (libbpf ring_buffer__consume vs the minimal mmap loop),
#   3. runs the BenchmarkDotNet benchmarks, which measure the C# reader and map operations against the same
#      C code (P/Invoked) in one process: ring buffer drain per record size, and map operations.
# Needs root (loading BPF programs), clang-19, gcc, libbpf-dev and the .NET 10 SDK.
#
#   bench/run-ringbuf.sh            # everything
#   bench/run-ringbuf.sh ring       # ring buffer only
#   bench/run-ringbuf.sh maps       # map operations only
# Extra arguments after the selector go to BenchmarkDotNet (e.g. --job short).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
what="${1:-all}"
shift || true

if [ "$(id -u)" -ne 0 ]; then
  echo "run-ringbuf: BPF programs need root (or CAP_BPF + CAP_PERFMON): run as root" >&2
  exit 1
fi

"$here/native/build.sh"
export CSBPF_BENCH_NATIVE="$here/native/build"

if [ "$what" = all ] || [ "$what" = ring ]; then
  echo "== standalone C: ring buffer drain, ns/record (median of 15) =="
  "$here/native/build/ringbuf_bench" "$here/native/build/bench.bpf.o" 15
fi

filter='*'
case "$what" in
  ring) filter='*RingBufferDrain*' ;;
  maps) filter='*MapBenchmarks*' ;;
  all) filter='*' ;;
  *) echo "run-ringbuf: unknown selector '$what' (all, ring, maps)" >&2; exit 2 ;;
esac

cd "$repo"
dotnet run -c Release --project bench/CsBpf.Benchmarks -- --filter "$filter" --artifacts "$here/BenchmarkDotNet.Artifacts" "$@"
echo "BenchmarkDotNet reports: $here/BenchmarkDotNet.Artifacts/results/"
