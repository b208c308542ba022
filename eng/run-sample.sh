#!/usr/bin/env bash
# Builds and runs the OpenCount sample (counts openat() per process for a few seconds and prints the top
# 10). Extra arguments go to the sample, e.g. 'bash eng/run-sample.sh 10' for ten seconds. Needs root (or
# CAP_BPF + CAP_PERFMON) to load the BPF program.
set -euo pipefail
cd "$(dirname "$0")/.."

bash eng/install-prereqs.sh
bash eng/mount-kernel-fs.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "run-sample: warning: not root; loading BPF programs needs root or CAP_BPF+CAP_PERFMON" >&2
fi

project=samples/OpenCount/OpenCount.csproj
dotnet build "$project" -c Release -nologo
exec dotnet run --project "$project" -c Release --no-build -- "$@"
