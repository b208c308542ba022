#!/usr/bin/env bash
# The compiler benchmark: C# corpus (bench/compiler/corpus/<name>.cs, compiled by csbpfc) against the same
# programs in C (<name>.bpf.c, compiled by clang-19): instruction counts, verifier cost (verified_insns),
# cold and warm compile latency. Writes the "Compiler" section of bench/RESULTS.md; artifacts (objects,
# `llvm-objdump -d -l` listings, verifier logs, results.json) go to bench/compiler/out/.
#
# Usage (root, for loading programs): bash bench/compiler/run.sh [options]
#   --cpu v1|v2|v3|v4   BPF cpu for both compilers (default v3)
#   --cold-runs N       csbpfc processes per program (default 3)
#   --warm-runs N       in-process compiles per program (default 10)
#   --clang-runs N      clang-19 processes per program (default 10)
#   --only a,b          only these corpus programs
#   --no-results        do not touch bench/RESULTS.md
# Takes about 3.5 minutes on 2 cores with the defaults. Exit code 2: some object did not compile or load
# (the results are written anyway). Debugging aid, after a run:
#   dotnet exec bench/compiler/CorpusBench/bin/Release/net10.0/CorpusBench.dll verify <obj>...
# loads objects and prints verified_insns per program.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

log() { echo "bench/compiler: $*"; }

for tool in clang-19 llvm-objdump-19 bpftool dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { log "error: $tool not found (bash eng/install-prereqs.sh)"; exit 1; }
done
if [ "$(id -u)" -ne 0 ]; then
  log "warning: not root: loading programs through the verifier will probably fail"
fi
bash eng/mount-kernel-fs.sh

log "building csbpfc, CsBpf and the benchmark driver (Release)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build compiler/CsBpf.Compiler.Cli -c Release -nologo -v quiet
dotnet build runtime/CsBpf -c Release -nologo -v quiet
dotnet build bench/compiler/CorpusBench -c Release -nologo -v quiet

quoted=""
for a in "$@"; do quoted+=" $a"; done
exec dotnet exec bench/compiler/CorpusBench/bin/Release/net10.0/CorpusBench.dll \
  --repo "$repo" --command "bash bench/compiler/run.sh${quoted}" "$@"
