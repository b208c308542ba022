#!/usr/bin/env bash
# Cold csbpfc, IL against ReadyToRun: one `dotnet exec csbpfc.dll` process per compile of one corpus program,
# with the references a build passes (CsBpf.dll + every framework dll), as bench/compiler/run.sh's cold column.
# Prints min and median wall time of each, checks that both write the same bytes, then one CSBPF_TIMINGS=1
# run of each (the phase breakdown on standard error).
#
# Usage: bash bench/compiler/cold-start.sh [program (default counter)] [runs (default 10)]
# Needs `dotnet build compiler/CsBpf.Compiler.Cli -c Release` (with CsBpfReadyToRun, the default) and
# `dotnet build runtime/CsBpf -c Release`.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
program=${1:-counter}
runs=${2:-10}
bin="$repo/compiler/CsBpf.Compiler.Cli/bin/Release/net10.0"
il="$bin/csbpfc.dll"
r2r="$bin/readytorun/csbpfc.dll"
source="$repo/bench/compiler/corpus/$program.cs"
csbpf="$repo/runtime/CsBpf/bin/Release/net10.0/CsBpf.dll"
for f in "$il" "$r2r" "$source" "$csbpf"; do
  [ -f "$f" ] || { echo "cold-start: $f not found (see Usage)"; exit 1; }
done

# The framework the compiler runs on (the one `dotnet exec` picks), as the benchmark driver references it.
framework=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2; d = $3 } END { gsub(/[\[\]]/, "", d); print d "/" v }')
refs=(--reference "$csbpf")
for dll in "$framework"/*.dll; do refs+=(--reference "$dll"); done

work=$(mktemp -d "${TMPDIR:-/tmp}/csbpf-cold.XXXXXX")
trap 'rm -rf "$work"' EXIT

measure() { # name dll
  local name=$1 dll=$2 out="$work/$1" times=()
  mkdir -p "$out"
  for ((i = 0; i < runs; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    dotnet exec "$dll" --out "$out" --cpu v3 "${refs[@]}" "$source" >/dev/null
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$name" -v r="$runs" \
    '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%-4s %s runs: min %d ms, median %d ms\n", n, r, a[1], m }'
}

echo "cold-start: $program.cs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
measure il "$il"
measure r2r "$r2r"
if cmp -s "$work/il/"*.bpf.o "$work/r2r/"*.bpf.o; then echo "objects: identical"; else echo "objects: DIFFERENT"; exit 1; fi
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for name in il r2r; do
  dll=$il; [ "$name" = r2r ] && dll=$r2r
  echo "--- CSBPF_TIMINGS=1, $name"
  CSBPF_TIMINGS=1 dotnet exec "$dll" --out "$work/$name" --cpu v3 "${refs[@]}" "$source" 2>&1 >/dev/null | sed 's/^csbpfc: timing: /  /'
done
