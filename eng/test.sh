#!/usr/bin/env bash
# Installs the prerequisites, prepares tracefs/bpffs and runs every test of the solution in Release.
# Extra arguments go to 'dotnet test' (e.g. --filter). Prints 'N passed, N failed[, N skipped]' last and
# exits with dotnet test's exit code.
set -uo pipefail
cd "$(dirname "$0")/.."

bash eng/install-prereqs.sh || exit $?
bash eng/mount-kernel-fs.sh

log=$(mktemp "${TMPDIR:-/tmp}/csbpf-test.XXXXXX")
trap 'rm -f "$log"' EXIT

# dotnet test builds only the test projects and what they reference: build the whole solution first so the
# projects no test references (bench/CsBpf.Benchmarks) are compiled too.
if ! dotnet build CsBpf.sln -c Release -nologo -v:q; then
  echo "test: the solution does not build"
  exit 1
fi

dotnet test CsBpf.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}

# Each test assembly ends with a summary block ("Total tests: N", "Passed: N", "Failed: N", "Skipped: N")
# or, at lower verbosity, a line "Passed!  - Failed: N, Passed: N, Skipped: N, Total: N". Add them up.
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    line = $0
    sub(/.*Failed: */, "", line); f = line + 0
    line = $0; sub(/.*Passed: */, "", line); p = line + 0
    line = $0; sub(/.*Skipped: */, "", line); s = line + 0
    P1 += p; F1 += f; S1 += s; one = 1; next
  }
  /^[[:space:]]*Passed:[[:space:]]*[0-9]+[[:space:]]*$/  { sub(/.*Passed:/, ""); P2 += $0 }
  /^[[:space:]]*Failed:[[:space:]]*[0-9]+[[:space:]]*$/  { sub(/.*Failed:/, ""); F2 += $0 }
  /^[[:space:]]*Skipped:[[:space:]]*[0-9]+[[:space:]]*$/ { sub(/.*Skipped:/, ""); S2 += $0 }
  END {
    if (one) print P1 + 0, F1 + 0, S1 + 0
    else     print P2 + 0, F2 + 0, S2 + 0
  }' "$log")

echo
if [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test: dotnet test exited with code $code (a build error or a test host crash, not a failed test)"
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$code"
